import Foundation
import SQLKit
import TelltaleCore

/// A table of named JSON definitions of an organization (escalation policies, schedules,
/// runbooks, classification rules): the same four statements for each.
struct DefinitionTable {
    let backend: any SQLBackend
    let table: String

    func insert(_ organizationID: OrganizationID, _ name: String, _ definition: String, _ now: Date) async throws -> Int64 {
        let id = try await backend.write { db in
            try await db.insert(into: table).columns("organization_id", "name", "definition", "created_at", "updated_at")
                .values(SQLBind(organizationID.rawValue), SQLBind(name), SQLBind(definition), SQLBind(now.millisecondsSince1970), SQLBind(now.millisecondsSince1970))
                .returning("id").first(decodingColumn: "id", as: Int64.self)
        }
        guard let id else { throw DomainError.notFound(table) }
        return id
    }

    func update(_ id: Int64, _ name: String, _ definition: String, _ now: Date) async throws -> Bool {
        try await backend.write { db in
            try await db.update(table).set("name", to: SQLBind(name)).set("definition", to: SQLBind(definition))
                .set("updated_at", to: SQLBind(now.millisecondsSince1970)).where("id", .equal, SQLBind(id)).returning("id").all().count > 0
        }
    }

    /// `(id, organization id, definition)` of the rows where `column` is `value`.
    func rows(_ column: String, _ value: Int64) async throws -> [(Int64, Int64, String)] {
        try await backend.read { db in try await Self.rows(table, column, value, db: db) }
    }

    static func rows(_ table: String, _ column: String, _ value: Int64, db: any SQLDatabase) async throws -> [(Int64, Int64, String)] {
        try await db.select().columns("id", "organization_id", "definition").from(table).where(SQLColumn(column), .equal, SQLBind(value))
            .orderBy("name").orderBy("id").all().map {
                (try $0.decode(column: "id", as: Int64.self), try $0.decode(column: "organization_id", as: Int64.self), try $0.decode(column: "definition", as: String.self))
            }
    }

    func delete(_ id: Int64) async throws -> Bool {
        try await backend.write { db in try await db.delete(from: table).where("id", .equal, SQLBind(id)).returning("id").all().count > 0 }
    }
}
