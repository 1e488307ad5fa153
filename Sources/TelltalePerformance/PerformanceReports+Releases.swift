public import Foundation
public import TelltaleCore

/// A release's health and activity, as the releases list and page show it.
public struct ReleaseRow: Sendable, Codable, Equatable {
    public var version: String
    public var sessions: Int64
    public var users: Int64
    public var adoption: Double?
    public var crashFreeSessions: Double?
    public var crashFreeUsers: Double?
    public var crashedSessions: Int64
    public var erroredSessions: Int64
    public var errors: Int64
    public var newIssues: Int64
    public var transactions: Int64
    public var p95: Double?
    public var failureRate: Double?
    public var firstSeen: Date?
    public var lastSeen: Date?

    enum CodingKeys: String, CodingKey {
        case version, sessions, users, adoption, errors, transactions, p95
        case crashFreeSessions = "crash_free_sessions", crashFreeUsers = "crash_free_users", crashedSessions = "crashed_sessions",
             erroredSessions = "errored_sessions", newIssues = "new_issues", failureRate = "failure_rate", firstSeen = "first_seen", lastSeen = "last_seen"
    }

    init(_ summary: ReleaseSummary, totalSessions: Int64, transactions: DurationStats?) {
        version = summary.version
        sessions = summary.health.sessions
        users = summary.health.users
        adoption = summary.health.adoption(of: totalSessions)
        crashFreeSessions = summary.health.crashFreeSessions
        crashFreeUsers = summary.health.crashFreeUsers
        crashedSessions = summary.health.crashedSessions
        erroredSessions = summary.health.erroredSessions
        errors = summary.errors
        newIssues = summary.newIssues
        self.transactions = transactions?.count ?? 0
        p95 = transactions?.sketch.quantile(0.95)
        failureRate = transactions?.failureRate
        firstSeen = summary.firstSeen
        lastSeen = summary.lastSeen
    }
}

extension PerformanceReports {
    public func releases(_ project: Project, _ window: PerformanceWindow) async throws -> [ReleaseRow] {
        let summaries = try await performance.releases(projectID: project.id.rawValue, from: window.from, to: window.to)
        var unfiltered = window
        unfiltered.release = nil
        let byRelease = try await performance.stats(unfiltered.query(project.id, .transaction, groupBy: [.release]))
        let transactions = Dictionary(byRelease.map { ($0.key.release, $0.value) }, uniquingKeysWith: { a, _ in a })
        let total = summaries.reduce(0) { $0 + $1.health.sessions }
        return summaries.map { ReleaseRow($0, totalSessions: total, transactions: transactions[$0.version]) }
    }

    /// One release, its busiest transactions, and optionally another release side by side.
    public struct ReleaseDetail: Sendable, Codable {
        public var release: ReleaseRow
        public var transactions: [TransactionRow]
        public var comparison: ReleaseRow?
    }

    public func release(_ project: Project, version: String, compareWith other: String?, _ window: PerformanceWindow) async throws -> ReleaseDetail? {
        let rows = try await releases(project, window)
        guard let row = rows.first(where: { $0.version == version }) else { return nil }
        var scoped = window
        scoped.release = version
        let transactions = try await self.transactions(project, scoped, sort: "-count")
        return ReleaseDetail(release: row, transactions: Array(transactions.prefix(20)), comparison: other.flatMap { o in rows.first { $0.version == o } })
    }
}
