public import Foundation
import SQLKit
public import TelltaleCore

extension PerformanceSQL {
    /// Releases seen in the window: session health (single updates and aggregate buckets
    /// alike), error events, issues first seen in each, and first / last activity.
    public func releases(projectID: Int64, from: Date, to: Date) async throws -> [ReleaseSummary] {
        let start = from.millisecondsSince1970, end = to.millisecondsSince1970
        return try await backend.read { db in
            var releases: [String: ReleaseSummary] = [:]
            func entry(_ version: String) -> ReleaseSummary {
                releases[version] ?? ReleaseSummary(version: version, health: ReleaseHealth(), firstSeen: nil, lastSeen: nil, errors: 0, newIssues: 0)
            }
            func seen(_ version: String, _ first: Int64?, _ last: Int64?) {
                var summary = entry(version)
                if let first { summary.firstSeen = min(summary.firstSeen ?? .distantFuture, Date(millisecondsSince1970: first)) }
                if let last { summary.lastSeen = max(summary.lastSeen ?? .distantPast, Date(millisecondsSince1970: last)) }
                releases[version] = summary
            }
            for row in try await db.raw("""
                SELECT release,
                  CAST(SUM(CASE WHEN kind = 'aggregate' THEN exited + errored + abnormal + crashed WHEN is_init THEN 1 ELSE 0 END) AS BIGINT) AS sessions,
                  CAST(SUM(CASE WHEN kind = 'aggregate' THEN crashed WHEN status = 'crashed' THEN 1 ELSE 0 END) AS BIGINT) AS crashed,
                  CAST(SUM(CASE WHEN kind = 'aggregate' THEN errored WHEN status NOT IN ('crashed', 'abnormal') AND errors > 0 AND NOT is_init THEN 1 ELSE 0 END) AS BIGINT) AS errored,
                  CAST(SUM(CASE WHEN kind = 'aggregate' THEN abnormal WHEN status = 'abnormal' THEN 1 ELSE 0 END) AS BIGINT) AS abnormal,
                  COUNT(DISTINCT distinct_id) AS users,
                  COUNT(DISTINCT CASE WHEN status = 'crashed' OR crashed > 0 THEN distinct_id END) AS crashed_users,
                  MIN(started) AS first, MAX(started) AS last
                FROM sessions WHERE project_id = \(bind: projectID) AND started >= \(bind: start) AND started < \(bind: end) GROUP BY release
                """).all() {
                let version = try row.decode(column: "release", as: String.self)
                seen(version, try row.decode(column: "first", as: Int64?.self), try row.decode(column: "last", as: Int64?.self))
                releases[version]!.health = ReleaseHealth(
                    sessions: try row.decode(column: "sessions", as: Int64?.self) ?? 0, crashedSessions: try row.decode(column: "crashed", as: Int64?.self) ?? 0,
                    erroredSessions: try row.decode(column: "errored", as: Int64?.self) ?? 0, abnormalSessions: try row.decode(column: "abnormal", as: Int64?.self) ?? 0,
                    users: try row.decode(column: "users", as: Int64.self), crashedUsers: try row.decode(column: "crashed_users", as: Int64.self)
                )
            }
            for row in try await db.raw("""
                SELECT release, COUNT(*) AS n, MIN(received_at) AS first, MAX(received_at) AS last FROM events
                WHERE project_id = \(bind: projectID) AND received_at >= \(bind: start) AND received_at < \(bind: end) AND release IS NOT NULL GROUP BY release
                """).all() {
                let version = try row.decode(column: "release", as: String.self)
                seen(version, try row.decode(column: "first", as: Int64?.self), try row.decode(column: "last", as: Int64?.self))
                releases[version]!.errors = try row.decode(column: "n", as: Int64.self)
            }
            for row in try await db.raw("""
                SELECT release, MIN(bucket) AS first, MAX(bucket) AS last FROM perf_rollups
                WHERE project_id = \(bind: projectID) AND kind = 'transaction' AND granularity = \(bind: PerformanceTally.hour)
                AND bucket >= \(bind: start / PerformanceTally.hour * PerformanceTally.hour) AND bucket < \(bind: end) AND release <> '' GROUP BY release
                """).all() {
                seen(try row.decode(column: "release", as: String.self), try row.decode(column: "first", as: Int64?.self), try row.decode(column: "last", as: Int64?.self))
            }
            let versions = Array(releases.keys)
            for chunk in versions.chunks(of: 500) where !chunk.isEmpty {
                for row in try await db.raw("""
                    SELECT first_release, COUNT(*) AS n FROM issues WHERE project_id = \(bind: projectID) AND first_release IN \(group: Array(chunk)) GROUP BY first_release
                    """).all() {
                    let version = try row.decode(column: "first_release", as: String.self)
                    releases[version]?.newIssues = try row.decode(column: "n", as: Int64.self)
                }
            }
            return releases.values.sorted { ($0.lastSeen ?? .distantPast, $0.version) > ($1.lastSeen ?? .distantPast, $1.version) }
        }
    }
}
