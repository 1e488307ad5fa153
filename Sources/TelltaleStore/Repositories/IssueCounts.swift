import SQLKit
import TelltaleCore

/// Keeps `issue_counts` (each issue's events per five minutes of event time) in step with
/// `events`: added by the ingest writer, taken off when events are deleted, moved by merges.
enum IssueCounts {
    /// The width of a bucket, in milliseconds: the spike detector's.
    static let bucket: Int64 = SpikeDetector.bucketMilliseconds

    struct Key: Hashable, Comparable {
        var issue: Int64
        var bucket: Int64
        var project: Int64

        init(issue: Int64, timestamp: Int64, project: Int64) {
            self.issue = issue
            self.bucket = timestamp / IssueCounts.bucket * IssueCounts.bucket
            self.project = project
        }

        static func < (a: Key, b: Key) -> Bool { (a.issue, a.bucket, a.project) < (b.issue, b.bucket, b.project) }
    }

    static func add(_ tally: [Key: Int64], direct: any DirectStatements) async throws {
        for chunk in tally.inKeyOrder.chunks(of: IngestSQLRepository.rowsPerStatement) {
            try await direct.insert(
                into: "issue_counts", columns: ["issue_id", "bucket", "project_id", "n"],
                rows: chunk.map { [.int($0.key.issue), .int($0.key.bucket), .int($0.key.project), .int($0.value)] },
                onConflict: .update(columns: ["issue_id", "bucket"], set: "n = issue_counts.n + excluded.n")
            )
        }
    }

    /// Adds the revenue that events sent (`revenue_impact`) to `issue_revenue`.
    static func addRevenue(_ tally: [Key: (events: Int64, amount: Double)], direct: any DirectStatements) async throws {
        for chunk in tally.inKeyOrder.chunks(of: IngestSQLRepository.rowsPerStatement) {
            try await direct.insert(
                into: "issue_revenue", columns: ["issue_id", "bucket", "project_id", "events", "amount"],
                rows: chunk.map { [.int($0.key.issue), .int($0.key.bucket), .int($0.key.project), .int($0.value.events), .double($0.value.amount)] },
                onConflict: .update(columns: ["issue_id", "bucket"], set: "events = issue_revenue.events + excluded.events, amount = issue_revenue.amount + excluded.amount")
            )
        }
    }

    /// Takes deleted events off their buckets and drops the buckets left at zero.
    static func subtract(_ tally: [Key: Int64], db: any SQLDatabase) async throws {
        guard !tally.isEmpty else { return }
        for chunk in tally.inKeyOrder.chunks(of: IngestSQLRepository.rowsPerStatement) {
            let values = chunk.map { entry -> SQLQueryString in "(\(bind: entry.key.issue), \(bind: entry.key.bucket), \(bind: entry.value))" }
            try await db.raw("""
                WITH v(i, b, n) AS (VALUES \(values.joined(separator: ", ")))
                UPDATE issue_counts SET n = issue_counts.n - v.n FROM v WHERE issue_counts.issue_id = v.i AND issue_counts.bucket = v.b
                """).run()
        }
        for issues in Array(Set(tally.keys.map(\.issue))).chunks(of: 500) {
            try await db.raw("DELETE FROM issue_counts WHERE issue_id IN \(group: Array(issues)) AND n <= 0").run()
            // Revenue goes with its bucket's last event (a bucket partly deleted keeps it whole).
            try await db.raw("""
                DELETE FROM issue_revenue WHERE issue_id IN \(group: Array(issues))
                AND NOT EXISTS (SELECT 1 FROM issue_counts c WHERE c.issue_id = issue_revenue.issue_id AND c.bucket = issue_revenue.bucket)
                """).run()
        }
    }

    /// Moves the counts of merged issues onto the issue they were merged into.
    static func move(from sources: [Int64], to target: Int64, db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO issue_counts (issue_id, bucket, project_id, n)
            SELECT \(bind: target), bucket, MIN(project_id), SUM(n) FROM issue_counts WHERE issue_id IN \(group: sources) GROUP BY bucket
            ON CONFLICT (issue_id, bucket) DO UPDATE SET n = issue_counts.n + excluded.n
            """).run()
        try await db.raw("DELETE FROM issue_counts WHERE issue_id IN \(group: sources)").run()
        try await db.raw("""
            INSERT INTO issue_revenue (issue_id, bucket, project_id, events, amount)
            SELECT \(bind: target), bucket, MIN(project_id), SUM(events), SUM(amount) FROM issue_revenue WHERE issue_id IN \(group: sources) GROUP BY bucket
            ON CONFLICT (issue_id, bucket) DO UPDATE SET events = issue_revenue.events + excluded.events, amount = issue_revenue.amount + excluded.amount
            """).run()
        try await db.raw("DELETE FROM issue_revenue WHERE issue_id IN \(group: sources)").run()
    }

    /// Counts these issues' buckets again from their events (after an unmerge split them).
    static func recount(_ issues: [Int64], db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM issue_counts WHERE issue_id IN \(group: issues)").run()
        try await db.raw("""
            INSERT INTO issue_counts (issue_id, bucket, project_id, n)
            SELECT issue_id, timestamp / \(unsafeRaw: String(bucket)) * \(unsafeRaw: String(bucket)), MIN(project_id), COUNT(*) FROM events
            WHERE issue_id IN \(group: issues) GROUP BY issue_id, timestamp / \(unsafeRaw: String(bucket)) * \(unsafeRaw: String(bucket))
            """).run()
    }
}
