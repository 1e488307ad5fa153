public import Foundation
import SQLKit
public import TelltaleCore

/// The audit log's rows. Only `record` writes and `purge` (retention) deletes: no path edits an entry.
public struct AuditSQL: AuditRepository {
    let backend: any SQLBackend

    public func record(_ entry: AuditEntry) async throws {
        let changes = String(decoding: try JSONEncoder().encode(entry.changes), as: UTF8.self)
        try await backend.write { db in
            try await db.insert(into: "audit_log")
                .columns("organization_id", "at", "actor_user_id", "actor", "action", "target_type", "target_id", "changes", "address", "user_agent")
                .values(SQLBind(entry.organizationID?.rawValue), SQLBind(entry.at.millisecondsSince1970), SQLBind(entry.actorUserID?.rawValue),
                        SQLBind(String(entry.actor.prefix(320))), SQLBind(entry.action), SQLBind(entry.targetType), SQLBind(entry.targetID.map { String($0.prefix(200)) }),
                        SQLBind(changes), SQLBind(entry.address), SQLBind(entry.userAgent.map { String($0.prefix(500)) }))
                .run()
        }
    }

    public func entries(_ filter: AuditFilter) async throws -> [AuditEntry] {
        try await backend.read { db in
            var query = db.select().columns("id", "organization_id", "at", "actor_user_id", "actor", "action", "target_type", "target_id", "changes", "address", "user_agent")
                .from("audit_log")
            if let organization = filter.organizationID { query = query.where("organization_id", .equal, SQLBind(organization.rawValue)) }
            if let actor = filter.actor { query = query.where("actor", .equal, SQLBind(actor)) }
            if let action = filter.action {
                query = action.hasSuffix(".") ? query.where("action", .like, SQLBind(action + "%")) : query.where("action", .equal, SQLBind(action))
            }
            if let since = filter.since { query = query.where("at", .greaterThanOrEqual, SQLBind(since.millisecondsSince1970)) }
            if let before = filter.beforeID { query = query.where("id", .lessThan, SQLBind(before)) }
            return try await query.orderBy("id", .descending).limit(filter.limit).all().map(Self.entry)
        }
    }

    public func purge(olderThan cutoff: Date) async throws -> Int {
        try await backend.write { db in
            try await db.raw("DELETE FROM audit_log WHERE at < \(bind: cutoff.millisecondsSince1970) RETURNING id").all().count
        }
    }

    static func entry(_ row: any SQLRow) throws -> AuditEntry {
        let changes = try row.decode(column: "changes", as: String.self)
        return AuditEntry(
            id: try row.decode(column: "id", as: Int64.self),
            organizationID: try row.decode(column: "organization_id", as: Int64?.self).map(OrganizationID.init),
            at: Date(millisecondsSince1970: try row.decode(column: "at", as: Int64.self)),
            actorUserID: try row.decode(column: "actor_user_id", as: Int64?.self).map(UserID.init),
            actor: try row.decode(column: "actor", as: String.self),
            action: try row.decode(column: "action", as: String.self),
            targetType: try row.decode(column: "target_type", as: String.self),
            targetID: try row.decode(column: "target_id", as: String?.self),
            changes: (try? JSONDecoder().decode([AuditChange].self, from: Data(changes.utf8))) ?? [],
            address: try row.decode(column: "address", as: String?.self),
            userAgent: try row.decode(column: "user_agent", as: String?.self)
        )
    }
}
