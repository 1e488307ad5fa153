public import Foundation
import SQLKit
public import TelltaleCore

extension AlertSQLRepository {
    // MARK: Evaluation

    public func cursor(_ name: String) async throws -> Int64 {
        try await backend.read { db in try await Cursors.read(name, in: db) ?? 0 }
    }

    public func commitEvaluation(cursor name: String, from: Int64, to: Int64, alerts: [AlertOutcome],
                                 notifications: [OutgoingNotification], groups: [AlertGroupState], now: Date) async throws -> Bool {
        let flavor = backend.flavor
        return try await backend.write { db in
            guard try await Cursors.advance(name, from: from, to: to, in: db, flavor: flavor) else { return false }
            for alert in alerts {
                try await db.insert(into: "alerts")
                    .columns("organization_id", "rule_id", "subject", "status", "severity", "title", "reason", "labels", "link", "resolution", "created_at")
                    .values(SQLBind(alert.organizationID.rawValue), SQLBind(alert.firing.ruleID.rawValue), SQLBind(alert.firing.subject),
                            SQLBind(alert.status.rawValue), SQLBind(alert.firing.severity.rawValue), SQLBind(String(alert.firing.title.prefix(500))),
                            SQLBind(String(alert.firing.reason.prefix(1000))), SQLBind(AlertCoding.json(alert.firing.labels)), SQLBind(alert.link),
                            SQLBind(alert.firing.isResolution), SQLBind(alert.at.millisecondsSince1970))
                    .run()
            }
            try await Self.queue(notifications, in: db, now: now)
            try await Self.store(groups, in: db)
            return true
        }
    }

    /// Queues notifications for channels and people's email, and files in-app ones.
    static func queue(_ notifications: [OutgoingNotification], in db: any SQLDatabase, now: Date) async throws {
        for outgoing in notifications {
            let message = outgoing.message
            switch outgoing.target {
            case .channel(let channelID):
                let channel = try await db.select().columns("organization_id", "type").from("alert_channels")
                    .where("id", .equal, SQLBind(channelID.rawValue)).first()
                guard let channel else { continue }
                try await db.insert(into: "notifications")
                    .columns("organization_id", "channel_id", "channel_type", "message", "title", "status", "next_attempt_at", "created_at")
                    .values(SQLBind(try channel.decode(column: "organization_id", as: Int64.self)), SQLBind(channelID.rawValue),
                            SQLBind(try channel.decode(column: "type", as: String.self)), SQLBind(AlertCoding.json(message)),
                            SQLBind(String(message.title.prefix(500))), SQLBind("queued"), SQLBind(now.millisecondsSince1970), SQLBind(now.millisecondsSince1970))
                    .run()
            case .email(let address):
                try await db.insert(into: "notifications")
                    .columns("organization_id", "recipient", "channel_type", "message", "title", "status", "next_attempt_at", "created_at")
                    .values(SQLBind(outgoing.organizationID.rawValue), SQLBind(address), SQLBind(ChannelType.email.rawValue), SQLBind(AlertCoding.json(message)),
                            SQLBind(String(message.title.prefix(500))), SQLBind("queued"), SQLBind(now.millisecondsSince1970), SQLBind(now.millisecondsSince1970))
                    .run()
            case .inApp(let userID):
                try await db.insert(into: "inbox_notifications")
                    .columns("organization_id", "user_id", "title", "severity", "message", "created_at")
                    .values(SQLBind(outgoing.organizationID.rawValue), SQLBind(userID.rawValue), SQLBind(String(message.title.prefix(500))),
                            SQLBind(message.severity.rawValue), SQLBind(AlertCoding.json(message)), SQLBind(now.millisecondsSince1970))
                    .run()
            }
        }
    }

    public func lastNotified(ruleID: AlertRuleID, subjects: [String]) async throws -> [String: Date] {
        guard !subjects.isEmpty else { return [:] }
        return try await backend.read { db in
            var found: [String: Date] = [:]
            for row in try await db.select().column("subject").column(SQLFunction("MAX", args: SQLColumn("created_at")), as: "at").from("alerts")
                .where("rule_id", .equal, SQLBind(ruleID.rawValue)).where("subject", .in, SQLBind.group(subjects))
                // A waiting alert counts as sent: it goes out with its group.
                .where("status", .in, SQLBind.group([AlertStatus.notified.rawValue, AlertStatus.pending.rawValue])).groupBy("subject").all() {
                found[try row.decode(column: "subject", as: String.self)] = Date(millisecondsSince1970: try row.decode(column: "at", as: Int64.self))
            }
            return found
        }
    }

    public func alerts(organizationID: OrganizationID, limit: Int) async throws -> [AlertRecord] {
        try await backend.read { db in
            try await db.select().columns(Self.alertColumns).from("alerts").where("organization_id", .equal, SQLBind(organizationID.rawValue))
                .orderBy("id", .descending).limit(limit).all().map(Self.alertRecord)
        }
    }

    static let alertColumns = ["id", "organization_id", "rule_id", "subject", "status", "severity", "title", "reason", "labels", "link", "resolution", "created_at"]

    static func alertRecord(_ row: any SQLRow) throws -> AlertRecord {
        let ruleID = AlertRuleID(try row.decode(column: "rule_id", as: Int64.self))
        let firing = AlertFiring(ruleID: ruleID, subject: try row.decode(column: "subject", as: String.self),
                                 severity: AlertSeverity(rawValue: try row.decode(column: "severity", as: String.self)) ?? .info,
                                 title: try row.decode(column: "title", as: String.self), reason: try row.decode(column: "reason", as: String.self),
                                 labels: try AlertCoding.decode([String: String].self, try row.decode(column: "labels", as: String.self)),
                                 isResolution: try row.decode(column: "resolution", as: Bool.self))
        return AlertRecord(id: AlertID(try row.decode(column: "id", as: Int64.self)),
                           organizationID: OrganizationID(try row.decode(column: "organization_id", as: Int64.self)), ruleID: ruleID, firing: firing,
                           status: AlertStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .pending,
                           link: try row.decode(column: "link", as: String.self),
                           createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self)))
    }

    // MARK: Delivery queue

    public func claimNotifications(now: Date, limit: Int, owner: String, leaseUntil: Date) async throws -> [QueuedNotification] {
        let flavor = backend.flavor
        let rows = try await backend.write { db in
            try await NotificationQueue.claim(.notifications, now: now, limit: limit, owner: owner, leaseUntil: leaseUntil,
                                              returning: "id, organization_id, channel_id, recipient, message, attempts", in: db, flavor: flavor)
        }
        var claimed: [QueuedNotification] = []
        for row in rows {
            let organizationID = OrganizationID(try row.decode(column: "organization_id", as: Int64.self))
            let channel: TelltaleCore.Channel
            if let channelID = try row.decode(column: "channel_id", as: Int64?.self) {
                guard let found = try await self.channel(id: ChannelID(channelID)) else { continue }
                channel = found
            } else if let recipient = try row.decode(column: "recipient", as: String?.self) {
                // An email to a person named by the rule: a channel of one address, made on the spot.
                channel = Channel(id: ChannelID(0), organizationID: organizationID, name: recipient, config: .email(to: [recipient]))
            } else {
                continue
            }
            claimed.append(QueuedNotification(id: NotificationID(try row.decode(column: "id", as: Int64.self)),
                                              organizationID: organizationID, channel: channel,
                                              message: try AlertCoding.decode(NotificationMessage.self, try row.decode(column: "message", as: String.self)),
                                              attempts: try row.decode(column: "attempts", as: Int.self)))
        }
        return claimed
    }

    public func recordAttempts(_ attempts: [DeliveryAttempt]) async throws {
        guard !attempts.isEmpty else { return }
        try await backend.write { db in
            for attempt in attempts {
                var update = db.update("notifications").set("attempts", to: SQLRaw("attempts + 1"))
                    .set("lease_owner", to: SQLLiteral.null).set("lease_until", to: SQLLiteral.null)
                switch attempt.decision {
                case .delivered:
                    update = update.set("status", to: SQLBind("delivered")).set("delivered_at", to: SQLBind(attempt.attemptedAt.millisecondsSince1970))
                        .set("last_error", to: SQLLiteral.null)
                case .retry(let at, let reason):
                    update = update.set("next_attempt_at", to: SQLBind(at.millisecondsSince1970)).set("last_error", to: SQLBind(reason))
                case .failed(let reason):
                    update = update.set("status", to: SQLBind("failed")).set("last_error", to: SQLBind(reason))
                }
                try await update.where("id", .equal, SQLBind(attempt.notificationID.rawValue)).run()
            }
            // One statement for the log, however many attempts: a forwarding pass records a group at once.
            var insert = db.insert(into: "notification_attempts").columns("notification_id", "attempted_at", "status_code", "error", "duration_ms", "outcome")
            for attempt in attempts {
                let error: String? = attempt.error.map { String($0.prefix(1000)) }
                insert = insert.values(SQLBind(attempt.notificationID.rawValue), SQLBind(attempt.attemptedAt.millisecondsSince1970), SQLBind(attempt.statusCode),
                                       SQLBind(error), SQLBind(attempt.milliseconds), SQLBind(attempt.decision.outcome))
            }
            try await insert.run()
        }
    }

    public func notifications(organizationID: OrganizationID, limit: Int) async throws -> [NotificationRecord] {
        try await backend.read { db in
            try await db.select().columns("id", "channel_id", "channel_type", "title", "status", "attempts", "last_error", "created_at", "delivered_at")
                .from("notifications").where("organization_id", .equal, SQLBind(organizationID.rawValue))
                .where("forwarder_id", .is, SQLLiteral.null).orderBy("id", .descending).limit(limit).all().map { row in
                    NotificationRecord(id: NotificationID(try row.decode(column: "id", as: Int64.self)),
                                       channelID: try row.decode(column: "channel_id", as: Int64?.self).map(ChannelID.init),
                                       channelType: ChannelType(rawValue: try row.decode(column: "channel_type", as: String.self)) ?? .webhook,
                                       title: try row.decode(column: "title", as: String.self), status: try row.decode(column: "status", as: String.self),
                                       attempts: try row.decode(column: "attempts", as: Int.self), lastError: try row.decode(column: "last_error", as: String?.self),
                                       createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self)),
                                       deliveredAt: try row.decode(column: "delivered_at", as: Int64?.self).map(Date.init(millisecondsSince1970:)))
                }
        }
    }

    public func attempts(notificationID: NotificationID) async throws -> [DeliveryAttempt] {
        try await backend.read { db in
            try await db.select().columns("attempted_at", "status_code", "error", "duration_ms", "outcome").from("notification_attempts")
                .where("notification_id", .equal, SQLBind(notificationID.rawValue)).orderBy("id").all().map { row in
                    let error = try row.decode(column: "error", as: String?.self)
                    let decision: DeliveryDecision = switch try row.decode(column: "outcome", as: String.self) {
                    case "delivered": .delivered
                    case "failed": .failed(reason: error ?? "")
                    default: .retry(at: Date(millisecondsSince1970: try row.decode(column: "attempted_at", as: Int64.self)), reason: error ?? "")
                    }
                    return DeliveryAttempt(notificationID: notificationID,
                                           attemptedAt: Date(millisecondsSince1970: try row.decode(column: "attempted_at", as: Int64.self)),
                                           statusCode: try row.decode(column: "status_code", as: Int?.self), error: error,
                                           milliseconds: try row.decode(column: "duration_ms", as: Double.self), decision: decision)
                }
        }
    }

    public func nextNotificationAt() async throws -> Date? {
        try await backend.read { db in
            try await db.select().column(SQLFunction("MIN", args: SQLColumn("next_attempt_at")), as: "due").from("notifications")
                .where("status", .equal, SQLBind("queued")).where("forwarder_id", .is, SQLLiteral.null)
                .first(decodingColumn: "due", as: Int64?.self)?.map(Date.init(millisecondsSince1970:))
        }
    }

    public func inbox(userID: UserID, limit: Int) async throws -> [InboxNotification] {
        try await backend.read { db in
            try await db.select().columns("id", "organization_id", "message", "created_at", "read_at").from("inbox_notifications")
                .where("user_id", .equal, SQLBind(userID.rawValue)).orderBy("id", .descending).limit(limit).all().map { row in
                    InboxNotification(id: InboxNotificationID(try row.decode(column: "id", as: Int64.self)),
                                      organizationID: OrganizationID(try row.decode(column: "organization_id", as: Int64.self)),
                                      message: try AlertCoding.decode(NotificationMessage.self, try row.decode(column: "message", as: String.self)),
                                      createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self)),
                                      readAt: try row.decode(column: "read_at", as: Int64?.self).map(Date.init(millisecondsSince1970:)))
                }
        }
    }

    public func unreadCount(userID: UserID) async throws -> Int {
        try await backend.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM inbox_notifications WHERE user_id = \(bind: userID.rawValue) AND read_at IS NULL")
                .first(decodingColumn: "n", as: Int.self) ?? 0
        }
    }

    public func markRead(userID: UserID, ids: [InboxNotificationID]?, now: Date) async throws -> Int {
        if let ids, ids.isEmpty { return 0 }
        return try await backend.write { db in
            var update = db.update("inbox_notifications").set("read_at", to: SQLBind(now.millisecondsSince1970))
                .where("user_id", .equal, SQLBind(userID.rawValue)).where("read_at", .is, SQLLiteral.null)
            if let ids { update = update.where("id", .in, SQLBind.group(ids.map(\.rawValue))) }
            return try await update.returning("id").all().count
        }
    }
}
