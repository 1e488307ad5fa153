import SQLKit

/// Keeps `event_counts` (events per project, hour, level and category) in step with
/// `events`, inside the transaction that inserts or deletes the events.
enum EventCounts {
    /// The width of a row, in milliseconds.
    static let hour: Int64 = 3_600_000

    struct Key: Hashable, Comparable {
        var project: Int64
        var hour: Int64
        var level: String
        /// `''` for none: a NULL would never match the primary key on conflict.
        var category: String

        init(project: Int64, receivedAt: Int64, level: String, category: String?) {
            self.project = project
            self.hour = receivedAt / EventCounts.hour * EventCounts.hour
            self.level = level
            self.category = category ?? ""
        }

        static func < (a: Key, b: Key) -> Bool { (a.project, a.hour, a.level, a.category) < (b.project, b.hour, b.level, b.category) }
    }

    /// Deletes the events whose ids `selection` (a subquery) picks and takes them off the
    /// counts, in the caller's transaction; returns how many went. Every deletion of events
    /// goes through here, so the counts cannot drift.
    static func deleteEvents(_ db: any SQLDatabase, ids selection: SQLQueryString) async throws -> Int {
        let deleted = try await db.raw("""
            DELETE FROM events WHERE id IN (\(selection)) RETURNING project_id, received_at, level, category, issue_id, timestamp
            """).all()
        var tally: [Key: Int64] = [:]
        var issueTally: [IssueCounts.Key: Int64] = [:]
        for row in deleted {
            if let issue = try row.decode(column: "issue_id", as: Int64?.self) {
                issueTally[IssueCounts.Key(issue: issue, timestamp: try row.decode(column: "timestamp", as: Int64.self),
                                           project: try row.decode(column: "project_id", as: Int64.self)), default: 0] += 1
            }
            let key = Key(project: try row.decode(column: "project_id", as: Int64.self), receivedAt: try row.decode(column: "received_at", as: Int64.self),
                          level: try row.decode(column: "level", as: String.self), category: try row.decode(column: "category", as: String?.self))
            tally[key, default: 0] += 1
        }
        try await subtract(tally, db: db)
        try await IssueCounts.subtract(issueTally, db: db)
        return deleted.count
    }

    /// Adds the counts: one upsert per chunk (keys are unique, which PostgreSQL requires).
    static func add(_ tally: [Key: Int64], direct: any DirectStatements) async throws {
        for chunk in tally.inKeyOrder.chunks(of: IngestSQLRepository.rowsPerStatement) {
            try await direct.insert(
                into: "event_counts", columns: ["project_id", "hour", "level", "category", "n"],
                rows: chunk.map { [.int($0.key.project), .int($0.key.hour), .text($0.key.level), .text($0.key.category), .int($0.value)] },
                onConflict: .update(columns: ["project_id", "hour", "level", "category"], set: "n = event_counts.n + excluded.n")
            )
        }
    }

    /// Takes deleted events off their hours and drops the hours left at zero.
    private static func subtract(_ tally: [Key: Int64], db: any SQLDatabase) async throws {
        guard !tally.isEmpty else { return }
        for chunk in tally.inKeyOrder.chunks(of: IngestSQLRepository.rowsPerStatement) {
            let values = chunk.map { entry -> SQLQueryString in
                "(\(bind: entry.key.project), \(bind: entry.key.hour), \(bind: entry.key.level), \(bind: entry.key.category), \(bind: entry.value))"
            }
            try await db.raw("""
                WITH v(p, h, l, c, n) AS (VALUES \(values.joined(separator: ", ")))
                UPDATE event_counts SET n = event_counts.n - v.n FROM v
                WHERE event_counts.project_id = v.p AND event_counts.hour = v.h AND event_counts.level = v.l AND event_counts.category = v.c
                """).run()
        }
        let projects = Array(Set(tally.keys.map(\.project)))
        for hours in Array(Set(tally.keys.map(\.hour))).chunks(of: 500) {
            try await db.raw("""
                DELETE FROM event_counts WHERE project_id IN \(group: projects) AND hour IN \(group: Array(hours)) AND n <= 0
                """).run()
        }
    }
}
