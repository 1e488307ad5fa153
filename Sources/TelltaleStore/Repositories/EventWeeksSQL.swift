import Foundation
import SQLKit
import TelltaleCore

/// The weekly event tables on PostgreSQL (``EventWeeksSchema``): lists them, creates the
/// weeks ahead, drops the weeks every project is done with. Each change runs under one
/// advisory lock, so two nodes never race on the same table.
struct EventWeeksSQL {
    let backend: any SQLBackend

    static let lockKey = 86_000_002
    /// How long a drop waits for the lock on `events`: queries behind it wait too, so a busy
    /// moment skips the drop until the next pass rather than stalling ingest.
    static let dropLockTimeout = "3s"

    var isPartitioned: Bool { backend.flavor == .postgres }

    /// The ranges `events` is split into, from PostgreSQL's catalog.
    static func ranges(_ db: any SQLDatabase) async throws -> [EventRange] {
        try await db.raw("""
            SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_inherits i
            JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'events'::regclass
            """).all().map { row in
            let bound = try row.decode(column: "bound", as: String.self)
            return EventRange(table: try row.decode(column: "name", as: String.self),
                              start: Self.limit(after: "FROM (", in: bound), end: Self.limit(after: "TO (", in: bound))
        }
    }

    /// `FOR VALUES FROM ('1764547200000') TO ('1765152000000')` → the number after `marker`;
    /// `nil` for `MINVALUE`/`MAXVALUE` or no such bound (the default partition).
    static func limit(after marker: String, in bound: String) -> Int64? {
        guard let open = bound.range(of: marker) else { return nil }
        let rest = bound[open.upperBound...]
        return Int64(rest.prefix { $0 != ")" }.filter { $0 != "'" })
    }

    /// Creates the current week and the weeks ahead that do not exist yet; returns their names.
    /// Making a week locks `events`, and queries queue behind a waiting lock, so the wait is
    /// bounded: `lockTimeout` (a PostgreSQL interval) and then an error.
    @discardableResult
    func createAhead(now: Date, lockTimeout: String = dropLockTimeout) async throws -> [String] {
        guard isPartitioned else { return [] }
        return try await backend.write { db in
            try await db.raw("SET LOCAL lock_timeout = \(literal: lockTimeout)").run()
            try await db.raw("SELECT pg_advisory_xact_lock(\(literal: Self.lockKey))").run()
            let weeks = EventWeekPlan.weeksToCreate(now: now.millisecondsSince1970, existing: try await Self.ranges(db))
            for week in weeks { try await Self.create(week, db) }
            return weeks.map(\.tableName)
        }
    }

    /// Creates `week`'s table. Events that arrived while it was missing wait in the default
    /// partition, which PostgreSQL will not let a new range overlap: they move into the new
    /// week first (rare: the retention job creates weeks three ahead).
    private static func create(_ week: EventWeek, _ db: any SQLDatabase) async throws {
        let table = SQLIdentifier(week.tableName)
        let stranded = try await db.raw("""
            SELECT 1 AS n FROM events_unscheduled WHERE received_at >= \(literal: week.start) AND received_at < \(literal: week.end) LIMIT 1
            """).first() != nil
        if stranded { try await db.raw("ALTER TABLE events DETACH PARTITION events_unscheduled").run() }
        try await db.raw("CREATE TABLE \(table) PARTITION OF events FOR VALUES FROM (\(literal: week.start)) TO (\(literal: week.end))").run()
        guard stranded else { return }
        let inWeek: SQLQueryString = "received_at >= \(literal: week.start) AND received_at < \(literal: week.end)"
        try await db.raw("INSERT INTO \(table) SELECT * FROM events_unscheduled WHERE \(inWeek)").run()
        try await db.raw("DELETE FROM events_unscheduled WHERE \(inWeek)").run()
        try await db.raw("ALTER TABLE events ATTACH PARTITION events_unscheduled DEFAULT").run()
    }

    /// One retention pass: makes the weeks ahead, then drops each range that ended before
    /// `now` and whose every project keeps nothing that old, taking its events off the hourly
    /// and per-issue counts in the same transaction.
    func maintain(now: Date, cutoffs: [ProjectID: Date]) async throws -> DroppedEventWeeks {
        var result = DroppedEventWeeks()
        guard isPartitioned else { return result }
        _ = try await postponing("making weeks ahead", &result) { try await createAhead(now: now) }
        let limits = Dictionary(uniqueKeysWithValues: cutoffs.map { ($0.key.rawValue, $0.value.millisecondsSince1970) })
        let candidates = try await backend.read { db in try await Self.ranges(db) }
            .filter { $0.end.map { $0 <= now.millisecondsSince1970 } ?? false }
            .sorted { ($0.end ?? 0) < ($1.end ?? 0) }
        for range in candidates {
            let dropped = try await postponing(range.table, &result) {
                try await backend.write { db in try await Self.drop(range, now: now.millisecondsSince1970, limits: limits, db) }
            }
            guard let events = dropped ?? nil else { continue }
            result.tables.append(range.table)
            for (project, n) in events { result.events[ProjectID(project), default: 0] += n }
        }
        return result
    }

    /// Runs one step of a pass; a failure (most likely the lock on `events` was busy) is
    /// recorded as postponed instead of thrown: weeks exist three ahead, and a week due to go
    /// can keep its rows another hour.
    private func postponing<T>(_ step: String, _ result: inout DroppedEventWeeks, _ body: () async throws -> T) async throws -> T? {
        do {
            return try await body()
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            result.postponed.append("\(step): \(String(reflecting: error))")
            return nil
        }
    }

    /// Drops `range` when the rule allows it; returns its events per project, or `nil` if it stays.
    private static func drop(_ range: EventRange, now: Int64, limits: [Int64: Int64], _ db: any SQLDatabase) async throws -> [Int64: Int]? {
        try await db.raw("SET LOCAL lock_timeout = \(literal: dropLockTimeout)").run()
        try await db.raw("SELECT pg_advisory_xact_lock(\(literal: lockKey))").run()
        // The hourly counts say which projects have events there without reading the table:
        // hours never straddle weeks, and the counts change with the events they count.
        let hours: SQLQueryString = range.start.map { "hour >= \(literal: $0) AND hour < \(literal: range.end!)" } ?? "hour < \(literal: range.end!)"
        var events: [Int64: Int] = [:]
        for row in try await db.raw("""
            SELECT project_id, CAST(SUM(n) AS BIGINT) AS n FROM event_counts WHERE \(hours) GROUP BY project_id
            """).all() {
            events[try row.decode(column: "project_id", as: Int64.self)] = try row.decode(column: "n", as: Int.self)
        }
        guard EventWeekPlan.canDrop(range, now: now, projectsWithEvents: Set(events.keys), cutoffs: limits) else { return nil }
        var issueTally: [IssueCounts.Key: Int64] = [:]
        for row in try await db.raw("""
            SELECT issue_id, MIN(project_id) AS project_id, MIN(timestamp) AS timestamp, COUNT(*) AS n FROM \(ident: range.table)
            WHERE issue_id IS NOT NULL GROUP BY issue_id, timestamp / \(literal: IssueCounts.bucket)
            """).all() {
            let key = IssueCounts.Key(issue: try row.decode(column: "issue_id", as: Int64.self), timestamp: try row.decode(column: "timestamp", as: Int64.self),
                                      project: try row.decode(column: "project_id", as: Int64.self))
            issueTally[key, default: 0] += try row.decode(column: "n", as: Int64.self)
        }
        try await IssueCounts.subtract(issueTally, db: db)
        try await db.raw("DELETE FROM event_counts WHERE \(hours)").run()
        try await db.raw("DROP TABLE \(ident: range.table)").run()
        return events
    }
}
