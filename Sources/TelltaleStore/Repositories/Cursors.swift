import SQLKit

/// Named positions of the jobs that follow a table by row id (alert evaluation, forwarding,
/// error metrics), kept in `alert_cursors`.
enum Cursors {
    static func read(_ name: String, in db: any SQLDatabase) async throws -> Int64? {
        try await db.select().column("position").from("alert_cursors").where("name", .equal, SQLBind(name)).first(decodingColumn: "position", as: Int64.self)
    }

    /// Moves `name` from `from` to `to` inside the caller's transaction: compare and set, so a
    /// node that read the same position but commits second moves nothing (and stores nothing).
    static func advance(_ name: String, from: Int64, to: Int64, in db: any SQLDatabase, flavor: SQLFlavor) async throws -> Bool {
        let current = try await db.raw("SELECT position FROM alert_cursors WHERE name = \(bind: name)\(unsafeRaw: flavor.forUpdate)")
            .first(decodingColumn: "position", as: Int64.self)
        if let current {
            guard current == from else { return false }
            try await db.update("alert_cursors").set("position", to: SQLBind(to)).where("name", .equal, SQLBind(name)).run()
            return true
        }
        guard from == 0 else { return false }
        let inserted = try await db.insert(into: "alert_cursors").columns("name", "position").values(SQLBind(name), SQLBind(to))
            .ignoringConflicts(with: ["name"]).returning("name").all()
        return !inserted.isEmpty
    }

    /// Sets `name` to `position` whatever it was (a job that only one node runs).
    static func set(_ name: String, _ position: Int64, in db: any SQLDatabase) async throws {
        let updated = try await db.update("alert_cursors").set("position", to: SQLBind(position)).where("name", .equal, SQLBind(name)).returning("name").all()
        if updated.isEmpty {
            try await db.insert(into: "alert_cursors").columns("name", "position").values(SQLBind(name), SQLBind(position)).ignoringConflicts(with: ["name"]).run()
        }
    }

    /// The newest event row (where followers of the events table start or jump to).
    static func latestEventRow(in db: any SQLDatabase) async throws -> Int64 {
        try await db.raw("SELECT COALESCE(MAX(id), 0) AS n FROM events").first(decodingColumn: "n", as: Int64.self) ?? 0
    }
}
