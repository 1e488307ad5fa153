public import Foundation
import SQLKit
public import TelltaleCore

/// Forwarders and their batches, which are rows of the notification queue with `forwarder_id` set.
public struct ForwarderSQL: ForwarderRepository {
    let backend: any SQLBackend
    /// Forwarder settings are sealed: API keys and DSNs are secrets.
    let cipher: SecretCipher
    static let cursorName = "forwarding"
    static let columns = ["id", "organization_id", "project_id", "name", "type", "config", "filters", "enabled", "starts_after", "created_at"]

    public func create(organizationID: OrganizationID, projectID: ProjectID, name: String, config: ForwarderConfig, filters: ForwarderFilters,
                       enabled: Bool, now: Date) async throws -> Forwarder {
        try await backend.write { db in
            // Everything stored so far stays home: the forwarder sends what arrives from now on.
            let latest = try await Cursors.latestEventRow(in: db)
            guard let id = try await db.insert(into: "forwarders")
                .columns("organization_id", "project_id", "name", "type", "config", "filters", "enabled", "starts_after", "created_at")
                .values(SQLBind(organizationID.rawValue), SQLBind(projectID.rawValue), SQLBind(name), SQLBind(config.type.rawValue),
                        SQLBind(try cipher.seal(AlertCoding.json(config.settings))), SQLBind(AlertCoding.json(filters)), SQLBind(enabled), SQLBind(latest),
                        SQLBind(now.millisecondsSince1970))
                .returning("id").first(decodingColumn: "id", as: Int64.self)
            else { throw DomainError.notFound("forwarder") }
            return Forwarder(id: ForwarderID(id), organizationID: organizationID, projectID: projectID, name: name, config: config,
                             filters: filters, enabled: enabled, startsAfterEvent: latest, createdAt: now)
        }
    }

    public func update(_ forwarder: Forwarder) async throws {
        try await backend.write { db in
            try await db.update("forwarders").set("name", to: SQLBind(forwarder.name)).set("type", to: SQLBind(forwarder.type.rawValue))
                .set("config", to: SQLBind(try cipher.seal(AlertCoding.json(forwarder.config.settings)))).set("filters", to: SQLBind(AlertCoding.json(forwarder.filters)))
                .set("enabled", to: SQLBind(forwarder.enabled)).where("id", .equal, SQLBind(forwarder.id.rawValue)).run()
        }
    }

    public func delete(id: ForwarderID) async throws {
        try await backend.write { db in
            try await db.delete(from: "notifications").where("forwarder_id", .equal, SQLBind(id.rawValue)).run()
            try await db.delete(from: "forwarders").where("id", .equal, SQLBind(id.rawValue)).run()
        }
    }

    public func forwarder(id: ForwarderID) async throws -> Forwarder? {
        try await backend.read { db in
            try await db.select().columns(Self.columns).from("forwarders").where("id", .equal, SQLBind(id.rawValue)).first().map(forwarder)
        }
    }

    public func forwarders(projectID: ProjectID) async throws -> [Forwarder] {
        try await backend.read { db in
            try await db.select().columns(Self.columns).from("forwarders").where("project_id", .equal, SQLBind(projectID.rawValue))
                .orderBy("id").all().map(forwarder)
        }
    }

    public func enabledForwarders() async throws -> [Forwarder] {
        try await backend.read { db in
            try await db.select().columns(Self.columns).from("forwarders").where("enabled", .equal, SQLBind(true)).orderBy("id").all().map(forwarder)
        }
    }

    // MARK: The forwarding pass

    public func forwardCursor() async throws -> Int64 {
        try await backend.read { db in try await Cursors.read(Self.cursorName, in: db) ?? 0 }
    }

    public func latestEventRow() async throws -> Int64 {
        try await backend.read { db in try await Cursors.latestEventRow(in: db) }
    }

    public func forwardCandidates(after position: Int64, limit: Int) async throws -> [ForwardCandidate] {
        try await backend.read { db in
            try await db.select().columns("id", "project_id", "event_id", "level", "received_at").column(SQLFunction("COALESCE", args: SQLColumn("environment"), SQLLiteral.string("")), as: "environment")
                .from("events").where("id", .greaterThan, SQLBind(position))
                .orderBy("id").limit(limit).all().map { row in
                    let environment = try row.decode(column: "environment", as: String.self)
                    return ForwardCandidate(rowID: try row.decode(column: "id", as: Int64.self), projectID: ProjectID(try row.decode(column: "project_id", as: Int64.self)),
                                            eventID: try row.decode(column: "event_id", as: String.self),
                                            level: EventLevel(rawValue: try row.decode(column: "level", as: String.self)) ?? .error,
                                            environment: environment.isEmpty ? nil : environment,
                                            receivedAt: Date(millisecondsSince1970: try row.decode(column: "received_at", as: Int64.self)))
                }
        }
    }

    public func enqueue(_ batches: [ForwardBatch], cursorFrom from: Int64, to: Int64, now: Date) async throws -> Bool {
        let flavor = backend.flavor
        return try await backend.write { db in
            // Each event is queued once: a node that read the same position but commits second queues nothing.
            guard try await Cursors.advance(Self.cursorName, from: from, to: to, in: db, flavor: flavor) else { return false }
            let at = now.millisecondsSince1970
            for batch in batches {
                try await db.insert(into: "notifications")
                    .columns("organization_id", "forwarder_id", "channel_type", "message", "title", "status", "next_attempt_at", "created_at")
                    .values(SQLBind(batch.organizationID.rawValue), SQLBind(batch.forwarderID.rawValue), SQLBind(batch.type.rawValue),
                            SQLBind(AlertCoding.json(batch.eventRows)), SQLBind(batch.eventRows.count == 1 ? "1 event" : "\(batch.eventRows.count) events"),
                            SQLBind("queued"), SQLBind(at), SQLBind(at))
                    .run()
            }
            return true
        }
    }

    // MARK: Delivery

    public func claimForwards(now: Date, limit: Int, owner: String, leaseUntil: Date) async throws -> [QueuedForward] {
        let flavor = backend.flavor
        let rows = try await backend.write { db in
            try await NotificationQueue.claim(.forwards, now: now, limit: limit, owner: owner, leaseUntil: leaseUntil,
                                              returning: "id, forwarder_id, message, attempts", in: db, flavor: flavor)
        }
        var known: [ForwarderID: Forwarder] = [:]
        var claimed: [QueuedForward] = []
        for row in rows {
            let forwarderID = ForwarderID(try row.decode(column: "forwarder_id", as: Int64.self))
            if known[forwarderID] == nil { known[forwarderID] = try await forwarder(id: forwarderID) }
            guard let forwarder = known[forwarderID] else { continue }
            claimed.append(QueuedForward(id: NotificationID(try row.decode(column: "id", as: Int64.self)), forwarder: forwarder,
                                         eventRows: try AlertCoding.decode([Int64].self, try row.decode(column: "message", as: String.self)),
                                         attempts: try row.decode(column: "attempts", as: Int.self)))
        }
        return claimed
    }

    public func nextForwardAt() async throws -> Date? {
        try await backend.read { db in
            try await db.select().column(SQLFunction("MIN", args: SQLColumn("next_attempt_at")), as: "due").from("notifications")
                .where("status", .equal, SQLBind("queued")).where("forwarder_id", .isNot, SQLLiteral.null)
                .first(decodingColumn: "due", as: Int64?.self)?.map(Date.init(millisecondsSince1970:))
        }
    }

    public func forwardedEvents(rows: [Int64]) async throws -> [ForwardedEvent] {
        guard !rows.isEmpty else { return [] }
        return try await backend.read { db in
            try await db.raw("""
                SELECT e.id, o.slug AS organization_slug, p.slug, e.event_id, e.issue_id, e.level, e.title, e.culprit, COALESCE(e.environment, '') AS environment,
                       COALESCE(e.release, '') AS release, e.tags, e.timestamp, e.payload
                FROM events e JOIN projects p ON p.id = e.project_id JOIN organizations o ON o.id = p.organization_id
                WHERE e.id IN \(SQLBind.group(rows)) ORDER BY e.id
                """).all().map { row in
                let environment = try row.decode(column: "environment", as: String.self)
                let release = try row.decode(column: "release", as: String.self)
                return ForwardedEvent(rowID: try row.decode(column: "id", as: Int64.self),
                                      organizationSlug: try row.decode(column: "organization_slug", as: String.self), projectSlug: try row.decode(column: "slug", as: String.self),
                                      eventID: try row.decode(column: "event_id", as: String.self), issueID: try row.decode(column: "issue_id", as: Int64?.self),
                                      level: EventLevel(rawValue: try row.decode(column: "level", as: String.self)) ?? .error,
                                      title: try row.decode(column: "title", as: String.self), culprit: try row.decode(column: "culprit", as: String.self),
                                      environment: environment.isEmpty ? nil : environment, release: release.isEmpty ? nil : release,
                                      tags: IssueTagging.decode(try row.decode(column: "tags", as: String.self)).sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) },
                                      timestamp: Date(millisecondsSince1970: try row.decode(column: "timestamp", as: Int64.self)),
                                      compressedPayload: Array(try row.decode(column: "payload", as: Data.self)))
            }
        }
    }

    public func deliveries(forwarderID: ForwarderID, limit: Int) async throws -> [ForwardDelivery] {
        try await backend.read { db in
            try await db.select().columns("id", "message", "status", "attempts", "last_error", "created_at", "delivered_at").from("notifications")
                .where("forwarder_id", .equal, SQLBind(forwarderID.rawValue)).orderBy("id", .descending).limit(limit).all().map { row in
                    ForwardDelivery(id: NotificationID(try row.decode(column: "id", as: Int64.self)),
                                    events: (try? AlertCoding.decode([Int64].self, try row.decode(column: "message", as: String.self)))?.count ?? 0,
                                    status: try row.decode(column: "status", as: String.self), attempts: try row.decode(column: "attempts", as: Int.self),
                                    lastError: try row.decode(column: "last_error", as: String?.self),
                                    createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self)),
                                    deliveredAt: try row.decode(column: "delivered_at", as: Int64?.self).map(Date.init(millisecondsSince1970:)))
                }
        }
    }

    // MARK: Coding

    func forwarder(_ row: any SQLRow) throws -> Forwarder {
        let type = ForwarderType(rawValue: try row.decode(column: "type", as: String.self)) ?? .webhook
        return Forwarder(id: ForwarderID(try row.decode(column: "id", as: Int64.self)),
                         organizationID: OrganizationID(try row.decode(column: "organization_id", as: Int64.self)),
                         projectID: ProjectID(try row.decode(column: "project_id", as: Int64.self)), name: try row.decode(column: "name", as: String.self),
                         config: try ForwarderConfig.make(type: type, try AlertCoding.decode([String: String].self, try cipher.open(row.decode(column: "config", as: String.self)))),
                         filters: try AlertCoding.decode(ForwarderFilters.self, try row.decode(column: "filters", as: String.self)),
                         enabled: try row.decode(column: "enabled", as: Bool.self), startsAfterEvent: try row.decode(column: "starts_after", as: Int64.self),
                         createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self)))
    }
}
