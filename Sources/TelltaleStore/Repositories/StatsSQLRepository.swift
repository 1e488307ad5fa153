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
            var byLevel: [String: [Int64: Int64]] = [:]
            for row in try await db.raw("""
                SELECT level, received_at / \(literal: bucket) AS bucket, COUNT(*) AS n FROM events
                WHERE project_id IN \(group: projects) AND received_at >= \(bind: start) AND received_at < \(bind: end)
                GROUP BY level, received_at / \(literal: bucket)
                """).all() {
                byLevel[try row.decode(column: "level", as: String.self), default: [:]][try row.decode(column: "bucket", as: Int64.self)] =
                    try row.decode(column: "n", as: Int64.self)
            }
            var byCategory: [String: [Int64: Int64]] = [:]
            for row in try await !categories ? [] : db.raw("""
                SELECT category, received_at / \(literal: bucket) AS bucket, COUNT(*) AS n FROM events
                WHERE project_id IN \(group: projects) AND received_at >= \(bind: start) AND received_at < \(bind: end) AND category IS NOT NULL
                GROUP BY category, received_at / \(literal: bucket)
                """).all() {
                byCategory[try row.decode(column: "category", as: String.self), default: [:]][try row.decode(column: "bucket", as: Int64.self)] =
                    try row.decode(column: "n", as: Int64.self)
            }
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
        return try await backend.read { db in
            var totals: [ProjectID: Int64] = [:]
            for row in try await db.raw("""
                SELECT project_id, COUNT(*) AS n FROM events
                WHERE project_id IN \(group: projectIDs.map(\.rawValue)) AND received_at >= \(bind: since.millisecondsSince1970) AND received_at < \(bind: until.millisecondsSince1970)
                GROUP BY project_id
                """).all() {
                totals[ProjectID(try row.decode(column: "project_id", as: Int64.self))] = try row.decode(column: "n", as: Int64.self)
            }
            return totals
        }
    }
}
