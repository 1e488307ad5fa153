public import Foundation
import SQLKit
import TelltaleCore

/// What the error metrics on `/metrics` read: stored events after a position with their
/// issue's classification, resolutions after a time, open issues and recent error rates.
public struct ErrorMetricsSQL: Sendable {
    let backend: any SQLBackend

    public init(backend: any SQLBackend) {
        self.backend = backend
    }

    public struct EventFact: Sendable, Hashable {
        public var row: Int64
        public var project: String
        public var level: String
        public var severity: String
        public var category: String
        public var endpoint: String
    }

    public struct Resolution: Sendable, Hashable {
        public var resolvedAt: Int64
        public var severity: String
        public var seconds: Double
    }

    public struct OpenIssues: Sendable, Hashable {
        public var project: String
        public var severity: String
        public var count: Int64
    }

    public struct Rate: Sendable, Hashable {
        public var project: String
        public var errors: Int64
        public var transactions: Int64
    }

    /// The persisted position of a follower (shared with the alert cursors' table).
    public func position(_ name: String) async throws -> Int64? {
        try await backend.read { db in try await Cursors.read(name, in: db) }
    }

    public func setPosition(_ name: String, _ position: Int64) async throws {
        try await backend.write { db in try await Cursors.set(name, position, in: db) }
    }

    public func latestEventRow() async throws -> Int64 {
        try await backend.read { db in try await Cursors.latestEventRow(in: db) }
    }

    public func events(after position: Int64, limit: Int) async throws -> [EventFact] {
        try await backend.read { db in
            try await db.raw("""
                SELECT e.id, p.slug, e.level, COALESCE(i.severity, 'unclassified') AS severity, COALESCE(i.category, 'unclassified') AS category,
                       COALESCE(e.transaction_name, '') AS endpoint
                FROM events e JOIN projects p ON p.id = e.project_id LEFT JOIN issues i ON i.id = e.issue_id
                WHERE e.id > \(bind: position) ORDER BY e.id LIMIT \(bind: limit)
                """).all().map { row in
                EventFact(row: try row.decode(column: "id", as: Int64.self), project: try row.decode(column: "slug", as: String.self),
                          level: try row.decode(column: "level", as: String.self), severity: try row.decode(column: "severity", as: String.self),
                          category: try row.decode(column: "category", as: String.self), endpoint: try row.decode(column: "endpoint", as: String.self))
            }
        }
    }

    /// Issues resolved after `millis` (milliseconds), oldest first, with the time from first seen.
    public func resolutions(after millis: Int64, limit: Int) async throws -> [Resolution] {
        try await backend.read { db in
            try await db.raw("""
                SELECT resolved_at, COALESCE(severity, 'unclassified') AS severity, resolved_at - first_seen AS took FROM issues
                WHERE status = 'resolved' AND resolved_at > \(bind: millis) ORDER BY resolved_at LIMIT \(bind: limit)
                """).all().map { row in
                Resolution(resolvedAt: try row.decode(column: "resolved_at", as: Int64.self), severity: try row.decode(column: "severity", as: String.self),
                           seconds: max(0, Double(try row.decode(column: "took", as: Int64.self)) / 1000))
            }
        }
    }

    public func openIssues() async throws -> [OpenIssues] {
        try await backend.read { db in
            try await db.raw("""
                SELECT p.slug, COALESCE(i.severity, 'unclassified') AS severity, CAST(COUNT(*) AS BIGINT) AS n
                FROM issues i JOIN projects p ON p.id = i.project_id
                WHERE i.status NOT IN ('resolved', 'ignored') GROUP BY p.slug, COALESCE(i.severity, 'unclassified')
                """).all().map { row in
                OpenIssues(project: try row.decode(column: "slug", as: String.self), severity: try row.decode(column: "severity", as: String.self),
                           count: try row.decode(column: "n", as: Int64.self))
            }
        }
    }

    /// Errors and transactions per project since `since`, for projects that sent transactions.
    public func rates(since: Date) async throws -> [Rate] {
        let millis = Int64((since.timeIntervalSince1970 * 1000).rounded())
        return try await backend.read { db in
            try await db.raw("""
                SELECT p.slug,
                       (SELECT CAST(COUNT(*) AS BIGINT) FROM events e WHERE e.project_id = p.id AND e.received_at >= \(bind: millis)) AS errors,
                       (SELECT CAST(COUNT(*) AS BIGINT) FROM transactions t WHERE t.project_id = p.id AND t.timestamp >= \(bind: millis)) AS transactions
                FROM projects p
                """).all().compactMap { row in
                let transactions = try row.decode(column: "transactions", as: Int64.self)
                guard transactions > 0 else { return nil }
                return Rate(project: try row.decode(column: "slug", as: String.self), errors: try row.decode(column: "errors", as: Int64.self), transactions: transactions)
            }
        }
    }

    /// Per project, the endpoints (transaction names) with the most events since `since`.
    public func topEndpoints(since: Date, perProject limit: Int) async throws -> [String: Set<String>] {
        let millis = Int64((since.timeIntervalSince1970 * 1000).rounded())
        return try await backend.read { db in
            var top: [String: [(String, Int64)]] = [:]
            for row in try await db.raw("""
                SELECT p.slug, e.transaction_name AS endpoint, CAST(COUNT(*) AS BIGINT) AS n FROM events e JOIN projects p ON p.id = e.project_id
                WHERE e.received_at >= \(bind: millis) AND e.transaction_name IS NOT NULL GROUP BY p.slug, e.transaction_name
                """).all() {
                top[try row.decode(column: "slug", as: String.self), default: []].append((try row.decode(column: "endpoint", as: String.self), try row.decode(column: "n", as: Int64.self)))
            }
            return top.mapValues { Set($0.sorted { $0.1 > $1.1 }.prefix(limit).map(\.0)) }
        }
    }

    /// The categories of the most open issues.
    public func topCategories(limit: Int) async throws -> Set<String> {
        try await backend.read { db in
            Set(try await db.raw("""
                SELECT category, CAST(COUNT(*) AS BIGINT) AS n FROM issues WHERE category IS NOT NULL GROUP BY category ORDER BY n DESC LIMIT \(bind: limit)
                """).all().map { try $0.decode(column: "category", as: String.self) })
        }
    }
}
