public import Foundation
import SQLKit
public import TelltaleCore

/// Monitors in SQL. State changes happen inside write transactions that read the monitor's
/// state under a row lock, so the scheduler, pings and pausing never lose each other's updates.
public struct MonitorSQLRepository: MonitorRepository {
    let backend: any SQLBackend
    /// Monitor settings are sealed: headers, bodies and connection strings carry secrets.
    let cipher: SecretCipher

    public func create(organizationID: OrganizationID, _ draft: MonitorDraft, pingToken: String?, now: Date) async throws -> Monitor {
        let state: MonitorState = draft.paused ? MonitorState(status: .paused, since: now) : .pending(at: now)
        // Active checks start at a random point of their first interval, so monitors created
        // together do not all fire together; push monitors wait for their first ping.
        let firstCheck: Date? = draft.target.type.isActive ? now.addingTimeInterval(Double.random(in: 0..<Double(draft.intervalSeconds))) : nil
        let millis = now.millisecondsSince1970
        let id = try await backend.write { db in
            try await db.insert(into: "monitors")
                .columns("organization_id", "project_id", "name", "component", "slug", "type", "config", "interval_seconds", "timeout_seconds",
                         "failure_threshold", "recovery_threshold", "status", "status_since", "ping_token", "next_check_at", "created_at", "updated_at")
                .values(SQLBind(organizationID.rawValue), SQLBind(draft.projectID?.rawValue), SQLBind(draft.name), SQLBind(draft.component),
                        SQLBind(draft.slug), SQLBind(draft.target.type.rawValue), SQLBind(try cipher.seal(MonitorConfigCoding.encode(draft.target))),
                        SQLBind(draft.intervalSeconds), SQLBind(draft.timeoutSeconds), SQLBind(draft.failureThreshold), SQLBind(draft.recoveryThreshold),
                        SQLBind(state.status.rawValue), SQLBind(millis), SQLBind(pingToken), SQLBind(firstCheck?.millisecondsSince1970),
                        SQLBind(millis), SQLBind(millis))
                .returning("id").first(decodingColumn: "id", as: Int64.self)
        }
        // Built from what was written: a reader connection may still hold a snapshot from before the commit.
        guard let id else { throw DomainError.notFound("monitor") }
        return Monitor(id: MonitorID(id), organizationID: organizationID, projectID: draft.projectID, name: draft.name, component: draft.component,
                       slug: draft.slug, target: draft.target, intervalSeconds: draft.intervalSeconds, timeoutSeconds: draft.timeoutSeconds,
                       failureThreshold: draft.failureThreshold, recoveryThreshold: draft.recoveryThreshold, state: state, pingToken: pingToken,
                       createdAt: Date(millisecondsSince1970: millis))
    }

    public func update(_ id: MonitorID, _ draft: MonitorDraft, now: Date) async throws -> Monitor? {
        guard let current = try await monitor(id: id) else { return nil }
        let changedSchedule = current.target != draft.target || current.intervalSeconds != draft.intervalSeconds
        let updated = try await backend.write { db -> Bool in
            var update = db.update("monitors")
                .set("project_id", to: SQLBind(draft.projectID?.rawValue))
                .set("name", to: SQLBind(draft.name))
                .set("component", to: SQLBind(draft.component))
                .set("type", to: SQLBind(draft.target.type.rawValue))
                .set("config", to: SQLBind(try cipher.seal(MonitorConfigCoding.encode(draft.target))))
                .set("interval_seconds", to: SQLBind(draft.intervalSeconds))
                .set("timeout_seconds", to: SQLBind(draft.timeoutSeconds))
                .set("failure_threshold", to: SQLBind(draft.failureThreshold))
                .set("recovery_threshold", to: SQLBind(draft.recoveryThreshold))
                .set("updated_at", to: SQLBind(now.millisecondsSince1970))
            if changedSchedule, draft.target.type.isActive {
                // A changed target is checked soon, not at the end of the old interval.
                update = update.set("next_check_at", to: SQLBind(now.addingTimeInterval(Double.random(in: 0..<min(5, Double(draft.intervalSeconds)))).millisecondsSince1970))
            }
            return try await update.where("id", .equal, SQLBind(id.rawValue)).returning("id").all().count > 0
        }
        guard updated else { return nil }
        if draft.paused != current.isPaused { return try await setPaused(id, draft.paused, now: now) }
        var monitor = current
        monitor.projectID = draft.projectID
        monitor.name = draft.name
        monitor.component = draft.component
        monitor.target = draft.target
        monitor.intervalSeconds = draft.intervalSeconds
        monitor.timeoutSeconds = draft.timeoutSeconds
        monitor.failureThreshold = draft.failureThreshold
        monitor.recoveryThreshold = draft.recoveryThreshold
        return monitor
    }

    public func delete(_ id: MonitorID) async throws -> Bool {
        try await backend.write { db in
            try await db.delete(from: "monitors").where("id", .equal, SQLBind(id.rawValue)).returning("id").all().count > 0
        }
    }

    public func monitor(id: MonitorID) async throws -> Monitor? {
        try await backend.read { db in
            try await db.select().columns(MonitorRows.columns).from("monitors").where("id", .equal, SQLBind(id.rawValue)).first().map { try MonitorRows.monitor($0, cipher) }
        }
    }

    public func monitor(pingToken: String) async throws -> Monitor? {
        try await backend.read { db in
            try await db.select().columns(MonitorRows.columns).from("monitors").where("ping_token", .equal, SQLBind(pingToken)).first().map { try MonitorRows.monitor($0, cipher) }
        }
    }

    public func monitor(projectID: ProjectID, slug: String) async throws -> Monitor? {
        try await backend.read { db in
            try await db.select().columns(MonitorRows.columns).from("monitors")
                .where("project_id", .equal, SQLBind(projectID.rawValue)).where("slug", .equal, SQLBind(slug))
                .first().map { try MonitorRows.monitor($0, cipher) }
        }
    }

    public func monitors(organizationID: OrganizationID) async throws -> [Monitor] {
        try await backend.read { db in
            try await db.select().columns(MonitorRows.columns).from("monitors")
                .where("organization_id", .equal, SQLBind(organizationID.rawValue))
                .orderBy("component").orderBy("name").orderBy("id")
                .all().map { try MonitorRows.monitor($0, cipher) }
        }
    }

    public func monitors(ids: [MonitorID]) async throws -> [Monitor] {
        guard !ids.isEmpty else { return [] }
        let found = try await backend.read { db in
            try await db.select().columns(MonitorRows.columns).from("monitors")
                .where("id", .in, SQLBind.group(ids.map(\.rawValue)))
                .all().map { try MonitorRows.monitor($0, cipher) }
        }
        let byID = Dictionary(found.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return ids.compactMap { byID[$0] }
    }

    public func setPaused(_ id: MonitorID, _ paused: Bool, now: Date) async throws -> Monitor? {
        let flavor = backend.flavor
        return try await backend.write { db -> Monitor? in
            guard let row = try await Self.lockedRow(db, id, flavor) else { return nil }
            var monitor = try MonitorRows.monitor(row, cipher)
            let (state, transition) = monitor.stateMachine.setPaused(paused, at: now, state: monitor.state)
            guard let transition else { return monitor }
            monitor.state = state
            try await Self.save(db, monitor: monitor, state: state, transition: transition, resultID: nil, inMaintenance: false)
            let next: Date? = !paused && monitor.type.isActive ? now : nil
            try await db.update("monitors").set("next_check_at", to: SQLBind(next?.millisecondsSince1970))
                .set("lease_owner", to: SQLLiteral.null).set("lease_until", to: SQLLiteral.null)
                .where("id", .equal, SQLBind(id.rawValue)).run()
            return monitor
        }
    }

    public func claimDue(now: Date, limit: Int, owner: String, leaseSlack: TimeInterval) async throws -> [DueMonitor] {
        let flavor = backend.flavor
        let millis = now.millisecondsSince1970
        return try await backend.write { db in
            let columns = MonitorRows.columns.joined(separator: ", ")
            let rows = try await db.raw("""
                UPDATE monitors SET lease_owner = \(bind: owner), lease_until = \(bind: millis + Int64(leaseSlack * 1000)) + timeout_seconds * 1000
                WHERE id IN (
                    SELECT id FROM monitors
                    WHERE next_check_at <= \(bind: millis) AND status <> 'paused'
                      AND (lease_until IS NULL OR lease_until < \(bind: millis))
                    ORDER BY next_check_at LIMIT \(bind: limit)\(unsafeRaw: flavor.forUpdateSkipLocked)
                )
                RETURNING \(unsafeRaw: columns)
                """).all()
            return try rows.map { row in
                DueMonitor(monitor: try MonitorRows.monitor(row, cipher),
                           dueAt: Date(millisecondsSince1970: try row.decode(column: "next_check_at", as: Int64?.self) ?? millis),
                           progress: try MonitorRows.progress(row))
            }.sorted { $0.dueAt < $1.dueAt }
        }
    }

    public func nextDueAt() async throws -> Date? {
        try await backend.read { db in
            try await db.select().column(SQLFunction("MIN", args: SQLColumn("next_check_at")), as: "due").from("monitors")
                .where("status", .notEqual, SQLBind("paused"))
                .first(decodingColumn: "due", as: Int64?.self)?.map(Date.init(millisecondsSince1970:))
        }
    }

    public func record(_ results: [CheckResult], inMaintenance: Set<MonitorID>) async throws -> [MonitorEvent] {
        guard !results.isEmpty else { return [] }
        let flavor = backend.flavor
        return try await backend.writeDirect { db, direct in
            var events: [MonitorEvent] = []
            var recorded: [CheckResult] = []
            for result in results {
                guard let row = try await Self.lockedRow(db, result.monitorID, flavor) else { continue }
                let monitor = try MonitorRows.monitor(row, cipher)
                let resultID = try await Self.insertResult(db, result)
                recorded.append(result)
                let (state, transition) = monitor.stateMachine.apply(result.verdict, message: result.message, at: result.checkedAt, to: monitor.state)
                let maintenance = inMaintenance.contains(monitor.id)
                if let event = try await Self.save(db, monitor: monitor, state: state, transition: transition, resultID: resultID, inMaintenance: maintenance) {
                    events.append(event)
                }
                var update = db.update("monitors")
                    .set("last_checked_at", to: SQLBind(result.checkedAt.millisecondsSince1970))
                    .set("last_message", to: SQLBind(result.message))
                    .set("lease_owner", to: SQLLiteral.null).set("lease_until", to: SQLLiteral.null)
                if monitor.type.isActive {
                    update = update.set("last_response_ms", to: SQLBind(result.responseMilliseconds))
                }
                // A paused monitor keeps no schedule; one resumed meanwhile keeps the time resuming set.
                if !monitor.isPaused {
                    update = update.set("next_check_at", to: SQLBind(result.nextCheckAt.millisecondsSince1970))
                }
                try await update.where("id", .equal, SQLBind(monitor.id.rawValue)).run()
            }
            try await Self.addToHours(recorded, direct: direct)
            return events
        }
    }

    public func recordOverdue(_ monitorID: MonitorID, now: Date, inMaintenance: Bool) async throws -> [MonitorEvent] {
        let flavor = backend.flavor
        return try await backend.writeDirect { db, direct in
            guard let row = try await Self.lockedRow(db, monitorID, flavor) else { return [] }
            let monitor = try MonitorRows.monitor(row, cipher)
            // A ping that arrived since the claim moved the deadline: nothing is overdue.
            guard let target = monitor.target.heartbeat, !monitor.isPaused,
                  let deadline = try row.decode(column: "next_check_at", as: Int64?.self), deadline <= now.millisecondsSince1970 else {
                try await Self.releaseLease(db, monitorID)
                return []
            }
            let outcome = HeartbeatRules.overdue(at: now, target: target, progress: try MonitorRows.progress(row))
            let result = CheckResult(monitorID: monitorID, checkedAt: now, verdict: .down, message: outcome.message, nextCheckAt: outcome.deadline ?? now)
            let resultID = try await Self.insertResult(db, result)
            try await Self.addToHours([result], direct: direct)
            let (state, transition) = monitor.stateMachine.apply(.down, message: outcome.message, at: now, to: monitor.state)
            let event = try await Self.save(db, monitor: monitor, state: state, transition: transition, resultID: resultID, inMaintenance: inMaintenance)
            try await db.update("monitors")
                .set("run_started_at", to: SQLBind(outcome.progress.runStartedAt?.millisecondsSince1970))
                .set("run_id", to: SQLBind(outcome.progress.runID))
                .set("last_checked_at", to: SQLBind(now.millisecondsSince1970))
                .set("last_message", to: SQLBind(outcome.message))
                .set("next_check_at", to: SQLBind(outcome.deadline?.millisecondsSince1970))
                .set("lease_owner", to: SQLLiteral.null).set("lease_until", to: SQLLiteral.null)
                .where("id", .equal, SQLBind(monitorID.rawValue)).run()
            return event.map { [$0] } ?? []
        }
    }

    public func recordPing(monitorID: MonitorID, kind: PingKind, runID: String?, body: String?, at now: Date, inMaintenance: Bool)
        async throws -> (Ping, [MonitorEvent]) {
        let request = PingRequest(monitorID: monitorID, kind: kind, runID: runID, body: body, at: now, inMaintenance: inMaintenance)
        return try await recordPings([request])[0].get()
    }

    public func recordPings(_ requests: [PingRequest]) async throws -> [Result<(Ping, [MonitorEvent]), any Error>] {
        let flavor = backend.flavor
        return try await backend.writeDirect { db, direct in
            try await PingBatchWriter(db: db, direct: direct, flavor: flavor, cipher: cipher).write(requests)
        }
    }

    public func results(monitorID: MonitorID, limit: Int) async throws -> [MonitorResult] {
        try await backend.read { db in
            try await db.select().columns(MonitorRows.resultColumns).from("monitor_results")
                .where("monitor_id", .equal, SQLBind(monitorID.rawValue))
                .orderBy("checked_at", .descending).orderBy("id", .descending)
                .limit(limit).all().map(MonitorRows.result)
        }
    }

    public func responseTimes(monitorIDs: [MonitorID], since: Date, limit: Int) async throws -> [MonitorID: [(Date, Double)]] {
        guard !monitorIDs.isEmpty else { return [:] }
        let rows = try await backend.read { db in
            try await db.select().columns("monitor_id", "checked_at", "response_ms").from("monitor_results")
                .where("monitor_id", .in, SQLBind.group(monitorIDs.map(\.rawValue)))
                .where("checked_at", .greaterThanOrEqual, SQLBind(since.millisecondsSince1970))
                .where("response_ms", .isNot, SQLLiteral.null)
                .where("verdict", .notEqual, SQLBind(CheckVerdict.down.rawValue))
                .orderBy("checked_at", .descending)
                .limit(limit)
                .all()
                .map { row in
                    (MonitorID(try row.decode(column: "monitor_id", as: Int64.self)),
                     Date(millisecondsSince1970: try row.decode(column: "checked_at", as: Int64.self)),
                     try row.decode(column: "response_ms", as: Double.self))
                }
        }
        var grouped: [MonitorID: [(Date, Double)]] = [:]
        for (id, date, ms) in rows { grouped[id, default: []].append((date, ms)) }
        return grouped
    }

    public func downtimes(monitorIDs: [MonitorID], overlapping range: TimeRange) async throws -> [Downtime] {
        guard !monitorIDs.isEmpty else { return [] }
        return try await backend.read { db in
            try await db.select().columns(MonitorRows.downtimeColumns).from("monitor_downtimes")
                .where("monitor_id", .in, SQLBind.group(monitorIDs.map(\.rawValue)))
                .where("started_at", .lessThan, SQLBind(range.end.millisecondsSince1970))
                .where { $0.where("ended_at", .is, SQLLiteral.null).orWhere("ended_at", .greaterThan, SQLBind(range.start.millisecondsSince1970)) }
                .orderBy("started_at")
                .all().map(MonitorRows.downtime)
        }
    }

    public func downtimes(monitorID: MonitorID, limit: Int) async throws -> [Downtime] {
        try await backend.read { db in
            try await db.select().columns(MonitorRows.downtimeColumns).from("monitor_downtimes")
                .where("monitor_id", .equal, SQLBind(monitorID.rawValue))
                .orderBy("started_at", .descending).limit(limit)
                .all().map(MonitorRows.downtime)
        }
    }

    public func events(monitorID: MonitorID, limit: Int) async throws -> [MonitorEvent] {
        try await backend.read { db in
            try await db.select().columns(MonitorRows.eventColumns).from("monitor_events")
                .where("monitor_id", .equal, SQLBind(monitorID.rawValue))
                .orderBy("id", .descending).limit(limit)
                .all().map(MonitorRows.event)
        }
    }

    public func pings(monitorID: MonitorID, limit: Int) async throws -> [Ping] {
        try await backend.read { db in
            try await db.select().columns(MonitorRows.pingColumns).from("monitor_pings")
                .where("monitor_id", .equal, SQLBind(monitorID.rawValue))
                .orderBy("id", .descending).limit(limit)
                .all().map(MonitorRows.ping)
        }
    }

    public func purgeResults(before: Date, hourlyBefore: Date) async throws -> Int {
        try await backend.write { db in
            let results = try await db.delete(from: "monitor_results").where("checked_at", .lessThan, SQLBind(before.millisecondsSince1970))
                .returning("id").all().count
            let pings = try await db.delete(from: "monitor_pings").where("received_at", .lessThan, SQLBind(before.millisecondsSince1970))
                .returning("id").all().count
            let hours = try await db.delete(from: "monitor_hourly")
                .where("hour", .lessThan, SQLBind(hourlyBefore.millisecondsSince1970))
                .returning("hour").all().count
            return results + pings + hours
        }
    }
}
