public import Foundation
import SQLKit
import Synchronization
public import TelltaleCore

/// Alerting in SQL: settings (channels, calendars, rules, silences), the history, the
/// notification queue (claimed with leases, `SKIP LOCKED` on PostgreSQL) and the cursors.
public struct AlertSQLRepository: AlertRepository {
    let backend: any SQLBackend
    /// Channel settings are sealed: webhook URLs, routing keys and passwords are secrets.
    let cipher: SecretCipher

    // MARK: Channels

    public func createChannel(organizationID: OrganizationID, name: String, config: ChannelConfig, now: Date) async throws -> Channel {
        try await insertChannel(organizationID: organizationID, owner: nil, name: name, config: config, now: now)
    }

    public func createContactMethod(organizationID: OrganizationID, userID: UserID, name: String, config: ChannelConfig, now: Date) async throws -> Channel {
        try await insertChannel(organizationID: organizationID, owner: userID, name: name, config: config, now: now)
    }

    func insertChannel(organizationID: OrganizationID, owner: UserID?, name: String, config: ChannelConfig, now: Date) async throws -> Channel {
        let id = try await backend.write { db in
            try await db.insert(into: "alert_channels").columns("organization_id", "owner_user_id", "name", "type", "config", "created_at")
                .values(SQLBind(organizationID.rawValue), SQLBind(owner?.rawValue), SQLBind(name), SQLBind(config.type.rawValue),
                        SQLBind(try cipher.seal(AlertCoding.encode(config))), SQLBind(now.millisecondsSince1970))
                .returning("id").first(decodingColumn: "id", as: Int64.self)
        }
        guard let id else { throw DomainError.notFound("channel") }
        return Channel(id: ChannelID(id), organizationID: organizationID, name: name, config: config, ownerUserID: owner)
    }

    public func channel(id: ChannelID) async throws -> Channel? {
        try await backend.read { db in
            try await db.select().columns(Self.channelColumns).from("alert_channels")
                .where("id", .equal, SQLBind(id.rawValue)).first().map(channel)
        }
    }

    public func channels(organizationID: OrganizationID) async throws -> [Channel] {
        try await backend.read { db in
            try await db.select().columns(Self.channelColumns).from("alert_channels")
                .where("organization_id", .equal, SQLBind(organizationID.rawValue)).where(SQLColumn("owner_user_id"), .is, SQLLiteral.null)
                .orderBy("name").orderBy("id").all().map(channel)
        }
    }

    public func contactMethods(organizationID: OrganizationID, userID: UserID?) async throws -> [Channel] {
        try await backend.read { db in
            var query = db.select().columns(Self.channelColumns).from("alert_channels")
                .where("organization_id", .equal, SQLBind(organizationID.rawValue)).where(SQLColumn("owner_user_id"), .isNot, SQLLiteral.null)
            if let userID { query = query.where("owner_user_id", .equal, SQLBind(userID.rawValue)) }
            return try await query.orderBy("name").orderBy("id").all().map(channel)
        }
    }

    public func recordCrossing(organizationID: OrganizationID, ruleID: AlertRuleID, title: String, detail: String, at: Date) async throws {
        try await backend.write { db in
            try await AnalysisSQL.recordDetection(db, organizationID: organizationID.rawValue, kind: .threshold, id: ruleID.rawValue, projectID: nil,
                                                  issueID: nil, title: title, detail: detail, at: at.millisecondsSince1970)
        }
    }

    static let channelColumns: [String] = ["id", "organization_id", "owner_user_id", "name", "type", "config"]

    public func deleteChannel(_ id: ChannelID) async throws -> Bool {
        try await backend.write { db in
            try await db.delete(from: "alert_channels").where("id", .equal, SQLBind(id.rawValue)).returning("id").all().count > 0
        }
    }

    func channel(_ row: any SQLRow) throws -> Channel {
        Channel(id: ChannelID(try row.decode(column: "id", as: Int64.self)), organizationID: OrganizationID(try row.decode(column: "organization_id", as: Int64.self)),
                name: try row.decode(column: "name", as: String.self),
                config: try AlertCoding.channelConfig(type: try row.decode(column: "type", as: String.self), try cipher.open(row.decode(column: "config", as: String.self))),
                ownerUserID: try row.decode(column: "owner_user_id", as: Int64?.self).map(UserID.init))
    }

    // MARK: Calendars

    public func createCalendar(organizationID: OrganizationID, name: String, timeZone: TimeZone, windows: [CalendarWindow], now: Date) async throws -> BusinessCalendar {
        let id = try await backend.write { db in
            try await db.insert(into: "business_calendars").columns("organization_id", "name", "time_zone", "windows", "created_at")
                .values(SQLBind(organizationID.rawValue), SQLBind(name), SQLBind(timeZone.identifier), SQLBind(AlertCoding.json(windows)),
                        SQLBind(now.millisecondsSince1970))
                .returning("id").first(decodingColumn: "id", as: Int64.self)
        }
        guard let id else { throw DomainError.notFound("calendar") }
        return BusinessCalendar(id: BusinessCalendarID(id), organizationID: organizationID, name: name, timeZone: timeZone, windows: windows)
    }

    public func calendars(organizationID: OrganizationID) async throws -> [BusinessCalendar] {
        try await backend.read { db in try await Self.calendars(organizationID, db: db) }
    }

    static func calendars(_ organizationID: OrganizationID, db: any SQLDatabase) async throws -> [BusinessCalendar] {
        try await db.select().columns("id", "organization_id", "name", "time_zone", "windows").from("business_calendars")
            .where("organization_id", .equal, SQLBind(organizationID.rawValue)).orderBy("name").all().map { row in
                BusinessCalendar(id: BusinessCalendarID(try row.decode(column: "id", as: Int64.self)), organizationID: organizationID,
                                 name: try row.decode(column: "name", as: String.self),
                                 timeZone: try TimeZone.named(try row.decode(column: "time_zone", as: String.self)),
                                 windows: try AlertCoding.decode([CalendarWindow].self, try row.decode(column: "windows", as: String.self)))
            }
    }

    // MARK: Rules

    public func createRule(organizationID: OrganizationID, _ draft: AlertRuleDraft, now: Date) async throws -> AlertRule {
        let id = try await backend.write { db in
            try await db.insert(into: "alert_rules").columns("organization_id", "name", "definition", "created_at", "updated_at")
                .values(SQLBind(organizationID.rawValue), SQLBind(draft.name), SQLBind(AlertCoding.json(draft)), SQLBind(now.millisecondsSince1970),
                        SQLBind(now.millisecondsSince1970))
                .returning("id").first(decodingColumn: "id", as: Int64.self)
        }
        guard let id else { throw DomainError.notFound("alert rule") }
        return AlertRule(id: AlertRuleID(id), organizationID: organizationID, draft: draft)
    }

    public func updateRule(_ id: AlertRuleID, _ draft: AlertRuleDraft, now: Date) async throws -> AlertRule? {
        let organization = try await backend.write { db in
            try await db.update("alert_rules").set("name", to: SQLBind(draft.name)).set("definition", to: SQLBind(AlertCoding.json(draft)))
                .set("updated_at", to: SQLBind(now.millisecondsSince1970)).where("id", .equal, SQLBind(id.rawValue))
                .returning("organization_id").first(decodingColumn: "organization_id", as: Int64.self)
        }
        return organization.map { AlertRule(id: id, organizationID: OrganizationID($0), draft: draft) }
    }

    public func rule(id: AlertRuleID) async throws -> AlertRule? {
        try await backend.read { db in
            try await db.select().columns("id", "organization_id", "definition").from("alert_rules").where("id", .equal, SQLBind(id.rawValue)).first().map(Self.rule)
        }
    }

    public func rules(organizationID: OrganizationID) async throws -> [AlertRule] {
        try await backend.read { db in
            try await db.select().columns("id", "organization_id", "definition").from("alert_rules")
                .where("organization_id", .equal, SQLBind(organizationID.rawValue)).orderBy("id").all().map(Self.rule)
        }
    }

    public func deleteRule(_ id: AlertRuleID) async throws -> Bool {
        try await backend.write { db in
            try await db.delete(from: "alert_rules").where("id", .equal, SQLBind(id.rawValue)).returning("id").all().count > 0
        }
    }

    public func anyRules() async throws -> Bool {
        try await backend.read { db in try await db.select().column("id").from("alert_rules").limit(1).first() != nil }
    }

    static func rule(_ row: any SQLRow) throws -> AlertRule {
        AlertRule(id: AlertRuleID(try row.decode(column: "id", as: Int64.self)), organizationID: OrganizationID(try row.decode(column: "organization_id", as: Int64.self)),
                  draft: try draft(try row.decode(column: "definition", as: String.self)))
    }

    /// Rules are read every evaluation round; a definition is decoded once per distinct text.
    static let decodedDrafts = Mutex<[String: AlertRuleDraft]>([:])

    static func draft(_ definition: String) throws -> AlertRuleDraft {
        if let draft = decodedDrafts.withLock({ $0[definition] }) { return draft }
        let draft = try AlertCoding.decode(AlertRuleDraft.self, definition)
        decodedDrafts.withLock { cache in
            if cache.count >= 10_000 { cache.removeAll(keepingCapacity: true) }
            cache[definition] = draft
        }
        return draft
    }

    // MARK: Silences

    public func createSilence(organizationID: OrganizationID, matchers: [Silence.Matcher], startsAt: Date, endsAt: Date, createdBy: UserID?, comment: String,
                              now: Date) async throws -> Silence {
        try Silence.validate(matchers: matchers, startsAt: startsAt, endsAt: endsAt)
        let id = try await backend.write { db in
            try await db.insert(into: "alert_silences").columns("organization_id", "matchers", "starts_at", "ends_at", "created_by", "comment", "created_at")
                .values(SQLBind(organizationID.rawValue), SQLBind(AlertCoding.json(matchers)), SQLBind(startsAt.millisecondsSince1970),
                        SQLBind(endsAt.millisecondsSince1970), SQLBind(createdBy?.rawValue), SQLBind(comment), SQLBind(now.millisecondsSince1970))
                .returning("id").first(decodingColumn: "id", as: Int64.self)
        }
        guard let id else { throw DomainError.notFound("silence") }
        return Silence(id: SilenceID(id), organizationID: organizationID, matchers: matchers, startsAt: startsAt, endsAt: endsAt, createdBy: createdBy, comment: comment)
    }

    public func silences(organizationID: OrganizationID, activeAt: Date?) async throws -> [Silence] {
        try await backend.read { db in
            var query = db.select().columns("id", "matchers", "starts_at", "ends_at", "created_by", "comment").from("alert_silences")
                .where("organization_id", .equal, SQLBind(organizationID.rawValue))
            if let activeAt {
                query = query.where("starts_at", .lessThanOrEqual, SQLBind(activeAt.millisecondsSince1970))
                    .where("ends_at", .greaterThan, SQLBind(activeAt.millisecondsSince1970))
            }
            return try await query.orderBy("id", .descending).limit(500).all().map { row in
                Silence(id: SilenceID(try row.decode(column: "id", as: Int64.self)), organizationID: organizationID,
                        matchers: try AlertCoding.decode([Silence.Matcher].self, try row.decode(column: "matchers", as: String.self)),
                        startsAt: Date(millisecondsSince1970: try row.decode(column: "starts_at", as: Int64.self)),
                        endsAt: Date(millisecondsSince1970: try row.decode(column: "ends_at", as: Int64.self)),
                        createdBy: try row.decode(column: "created_by", as: Int64?.self).map(UserID.init),
                        comment: try row.decode(column: "comment", as: String.self))
            }
        }
    }

    public func deleteSilence(_ id: SilenceID, organizationID: OrganizationID) async throws -> Bool {
        try await backend.write { db in
            try await db.delete(from: "alert_silences").where("id", .equal, SQLBind(id.rawValue))
                .where("organization_id", .equal, SQLBind(organizationID.rawValue)).returning("id").all().count > 0
        }
    }
}
