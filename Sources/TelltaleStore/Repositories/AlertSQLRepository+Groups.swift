public import Foundation
import SQLKit
public import TelltaleCore

/// Alertmanager-style grouping: each rule's timers, and the alerts waiting in its group.
extension AlertSQLRepository {
    public func alertGroup(ruleID: AlertRuleID) async throws -> AlertGroupState {
        try await backend.read { db in
            try await db.select().columns("rule_id", "last_sent_at", "pending_since", "flush_at").from("alert_groups")
                .where("rule_id", .equal, SQLBind(ruleID.rawValue)).first().map(Self.group) ?? AlertGroupState(ruleID: ruleID)
        }
    }

    public func dueGroups(now: Date) async throws -> [AlertGroupState] {
        try await backend.read { db in
            try await db.select().columns("rule_id", "last_sent_at", "pending_since", "flush_at").from("alert_groups")
                .where("flush_at", .lessThanOrEqual, SQLBind(now.millisecondsSince1970)).orderBy("flush_at").limit(100).all().map(Self.group)
        }
    }

    public func pendingAlerts(ruleID: AlertRuleID) async throws -> [AlertRecord] {
        try await backend.read { db in
            try await db.select().columns(Self.alertColumns).from("alerts")
                .where("rule_id", .equal, SQLBind(ruleID.rawValue)).where("status", .equal, SQLBind(AlertStatus.pending.rawValue))
                .orderBy("id").limit(1_000).all().map(Self.alertRecord)
        }
    }

    public func flushGroup(_ group: AlertGroupState, alerts: [AlertID], notifications: [OutgoingNotification], now: Date) async throws -> Bool {
        let flavor = backend.flavor
        return try await backend.write { db in
            // Compare and set on the flush time read: a second node flushing the same group stores nothing.
            let current = try await db.raw("SELECT flush_at FROM alert_groups WHERE rule_id = \(bind: group.ruleID.rawValue)\(unsafeRaw: flavor.forUpdate)")
                .first(decodingColumn: "flush_at", as: Int64?.self)
            guard let current, current == group.flushAt?.millisecondsSince1970 else { return false }
            if !alerts.isEmpty {
                try await db.update("alerts").set("status", to: SQLBind(AlertStatus.notified.rawValue))
                    .where("id", .in, SQLBind.group(alerts.map(\.rawValue))).where("status", .equal, SQLBind(AlertStatus.pending.rawValue)).run()
            }
            try await Self.queue(notifications, in: db, now: now)
            try await Self.store([AlertGrouping.flushed(group, at: now)], in: db)
            return true
        }
    }

    static func store(_ groups: [AlertGroupState], in db: any SQLDatabase) async throws {
        for group in groups {
            try await db.insert(into: "alert_groups").columns("rule_id", "last_sent_at", "pending_since", "flush_at")
                .values(SQLBind(group.ruleID.rawValue), SQLBind(group.lastSentAt?.millisecondsSince1970), SQLBind(group.pendingSince?.millisecondsSince1970),
                        SQLBind(group.flushAt?.millisecondsSince1970))
                .onConflict(with: ["rule_id"]) { $0.set(excludedValueOf: "last_sent_at").set(excludedValueOf: "pending_since").set(excludedValueOf: "flush_at") }
                .run()
        }
    }

    static func group(_ row: any SQLRow) throws -> AlertGroupState {
        AlertGroupState(ruleID: AlertRuleID(try row.decode(column: "rule_id", as: Int64.self)),
                        lastSentAt: try row.decode(column: "last_sent_at", as: Int64?.self).map(Date.init(millisecondsSince1970:)),
                        pendingSince: try row.decode(column: "pending_since", as: Int64?.self).map(Date.init(millisecondsSince1970:)),
                        flushAt: try row.decode(column: "flush_at", as: Int64?.self).map(Date.init(millisecondsSince1970:)))
    }

    public func purgeHistory(before cutoff: Date, batchSize: Int) async throws -> Int {
        let millis = cutoff.millisecondsSince1970
        var deleted = 0
        // Pending alerts and queued notifications stay until they are settled.
        for (table, settled) in [("alerts", "status <> 'pending'"), ("notifications", "status <> 'queued'"), ("inbox_notifications", "1 = 1")] {
            deleted += try await backend.write { db in
                try await db.raw("""
                    DELETE FROM \(unsafeRaw: table) WHERE id IN (
                        SELECT id FROM \(unsafeRaw: table) WHERE created_at < \(bind: millis) AND \(unsafeRaw: settled) ORDER BY id LIMIT \(bind: batchSize))
                    RETURNING id
                    """).all().count
            }
        }
        return deleted
    }
}
