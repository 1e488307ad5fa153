public import Foundation
import SQLKit
public import TelltaleCore

/// Error activity counts in SQL, bucketed in the database (indexes on received/first-seen times).
public struct StatsSQLRepository: StatsRepository {
    let backend: any SQLBackend

    public func errorStats(projectIDs: [ProjectID], since: Date, until: Date, bucketSeconds: Int64, byCategory categories: Bool) async throws -> ErrorStats {
        let bucket = bucketSeconds * 1000
        let start = since.millisecondsSince1970 / bucket * bucket
        let end = until.millisecondsSince1970
        let projects = projectIDs.map(\.rawValue)
        guard !projects.isEmpty, bucket > 0 else {
            return ErrorStats(eventsByLevel: [:], newIssues: CountSeries(points: []), resolvedIssues: 0, meanTimeToResolve: nil)
        }
        return try await backend.read { db in
            let byLevel = try await Self.eventCounts(db, projects, from: start, to: end, bucket: bucket, by: "level", as: String.self)
            let byCategory = !categories ? [:] : try await Self.eventCounts(db, projects, from: start, to: end, bucket: bucket, by: "category", as: String.self)
            var created: [Int64: Int64] = [:]
            for row in try await db.raw("""
                SELECT first_seen / \(literal: bucket) AS bucket, COUNT(*) AS n FROM issues
                WHERE project_id IN \(group: projects) AND first_seen >= \(bind: start) AND first_seen < \(bind: end) AND merged_into IS NULL
                GROUP BY first_seen / \(literal: bucket)
                """).all() {
                created[try row.decode(column: "bucket", as: Int64.self)] = try row.decode(column: "n", as: Int64.self)
            }
            let resolved = try await db.raw("""
                SELECT COUNT(*) AS n, CAST(AVG(resolved_at - first_seen) AS DOUBLE PRECISION) AS mean FROM issues
                WHERE project_id IN \(group: projects) AND status = 'resolved' AND resolved_at >= \(bind: start) AND resolved_at < \(bind: end)
                """).first()
            let seconds = bucketSeconds
            let series = { (counts: [Int64: Int64]) in
                let filled = CountSeries.filled(start: start, end: end, bucket: bucket, counts: counts)
                return CountSeries(points: filled.points.map { (start: $0.start / 1000 / seconds * seconds, count: $0.count) })
            }
            return ErrorStats(
                eventsByLevel: byLevel.mapValues(series),
                eventsByCategory: byCategory.mapValues(series),
                newIssues: series(created),
                resolvedIssues: try resolved?.decode(column: "n", as: Int64.self) ?? 0,
                meanTimeToResolve: try resolved?.decode(column: "mean", as: Double?.self).map { $0 / 1000 }
            )
        }
    }

    public func eventTotals(projectIDs: [ProjectID], since: Date, until: Date) async throws -> [ProjectID: Int64] {
        guard !projectIDs.isEmpty else { return [:] }
        let start = since.millisecondsSince1970
        let end = until.millisecondsSince1970
        guard start < end else { return [:] }
        return try await backend.read { db in
            let counts = try await Self.eventCounts(db, projectIDs.map(\.rawValue), from: start, to: end, bucket: EventCounts.hour, by: "project_id", as: Int64.self)
            return Dictionary(uniqueKeysWithValues: counts.map { (ProjectID($0.key), $0.value.values.reduce(0, +)) })
        }
    }

    /// Events in [start, end) per value of `column` and bucket (`received_at / bucket`). When
    /// buckets are whole hours, the whole hours inside the range come from `event_counts` and
    /// only the partial hours at its edges are counted in `events`.
    static func eventCounts<Group: Decodable & Hashable>(
        _ db: any SQLDatabase, _ projects: [Int64], from start: Int64, to end: Int64, bucket: Int64, by column: String, as: Group.Type
    ) async throws -> [Group: [Int64: Int64]] {
        let hour = EventCounts.hour
        let firstHour = (start + hour - 1) / hour * hour
        let lastHour = end / hour * hour
        var scans: [(Int64, Int64)] = [(start, end)]
        var hours: (Int64, Int64)?
        if bucket % hour == 0, firstHour < lastHour {
            hours = (firstHour, lastHour)
            scans = [(start, firstHour), (lastHour, end)].filter { $0.0 < $0.1 }
        }
        // A missing category is '' in the counts and NULL in events; neither is a category.
        let countedOnly: SQLQueryString = column == "category" ? " AND category <> ''" : ""
        let eventsOnly: SQLQueryString = column == "category" ? " AND category IS NOT NULL" : ""
        var counts: [Group: [Int64: Int64]] = [:]
        func add(_ rows: [any SQLRow]) throws {
            for row in rows {
                counts[try row.decode(column: "g", as: Group.self), default: [:]][try row.decode(column: "bucket", as: Int64.self), default: 0] +=
                    try row.decode(column: "n", as: Int64.self)
            }
        }
        if let (from, to) = hours {
            try add(try await db.raw("""
                SELECT \(ident: column) AS g, hour / \(literal: bucket) AS bucket, CAST(SUM(n) AS BIGINT) AS n FROM event_counts
                WHERE project_id IN \(group: projects) AND hour >= \(bind: from) AND hour < \(bind: to)\(countedOnly)
                GROUP BY \(ident: column), hour / \(literal: bucket)
                """).all())
        }
        for (from, to) in scans {
            try add(try await db.raw("""
                SELECT \(ident: column) AS g, received_at / \(literal: bucket) AS bucket, COUNT(*) AS n FROM events
                WHERE project_id IN \(group: projects) AND received_at >= \(bind: from) AND received_at < \(bind: to)\(eventsOnly)
                GROUP BY \(ident: column), received_at / \(literal: bucket)
                """).all())
        }
        return counts
    }
}
