import Foundation
public import Hummingbird
public import TelltaleCore
public import TelltaleHTTP

/// `GET /api/0/organizations/{org}/stats/?since=&until=&interval=&project=`: events by level and
/// new issues over time, resolved issues and mean time to resolution.
public struct StatsController: Sendable {
    let repositories: Repositories

    public init(repositories: Repositories) {
        self.repositories = repositories
    }

    public func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        let authorizer = Authorizer(repositories: repositories)
        router.get("organizations/:org/stats/") { request, context -> StatsBody in
            let principal = try context.requirePrincipal()
            let organization = try await authorizer.organization(context.parameters.require("org"), principal, .view, scope: .eventRead)
            let parameters = request.uri.queryParameters
            let until = try parameters.get("until").map { try Self.time($0, "until") } ?? Date()
            let since = try parameters.get("since").map { try Self.time($0, "since") } ?? until.addingTimeInterval(-86_400)
            let interval = try parameters.get("interval").map(Self.interval) ?? 3_600
            guard since < until else { throw APIError.badRequest("since must be before until") }
            guard until.timeIntervalSince(since) / Double(interval) <= 2_000 else {
                throw APIError.badRequest("too many buckets: at most 2000 intervals between since and until")
            }
            let all = try await repositories.projects.projects(organizationID: organization.id)
            var projects = all
            let wanted = parameters.getAll("project")
            if !wanted.isEmpty {
                projects = try wanted.map { name in
                    guard let project = all.first(where: { $0.id.description == name || $0.slug.rawValue == name }) else {
                        throw APIError.badRequest("project '\(name)' is not in this organization")
                    }
                    return project
                }
            }
            let stats = try await repositories.stats.errorStats(projectIDs: projects.map(\.id), since: since, until: until, bucketSeconds: interval)
            return StatsBody(stats, since: since, until: until, interval: interval)
        }
    }

    /// Unix seconds or an RFC 3339 time.
    static func time(_ text: String, _ name: String) throws -> Date {
        if let seconds = Double(text), seconds.isFinite, seconds >= 0, seconds < 32_503_680_000 { return Date(timeIntervalSince1970: seconds) }
        if let seconds = Timestamps.parseRFC3339(text) { return Date(timeIntervalSince1970: seconds) }
        throw APIError.badRequest("\(name) must be unix seconds or an RFC 3339 time")
    }

    /// `300`, `5m`, `1h`, `1d` (at least a minute).
    static func interval(_ text: String) throws -> Int64 {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800]
        var value = text
        var unit: Int64 = 1
        if let last = value.last, let scale = units[last] { unit = scale; value.removeLast() }
        guard let n = Int64(value), n > 0, n <= 10_000_000 / unit, n * unit >= 60 else {
            throw APIError.badRequest("interval must be at least a minute, like 300, 5m, 1h or 1d")
        }
        return n * unit
    }
}

/// The stats answer: `[[unixSeconds, count], …]` series.
struct StatsBody: ResponseCodable {
    struct Events: Codable, Sendable {
        var total: [[Int64]]
        var byLevel: [String: [[Int64]]]
        var byCategory: [String: [[Int64]]]
    }
    struct Issues: Codable, Sendable {
        var new: [[Int64]]
        var resolved: Int64
        var meanTimeToResolve: Double?
    }
    var since: Date
    var until: Date
    var interval: Int64
    var events: Events
    var issues: Issues

    init(_ stats: ErrorStats, since: Date, until: Date, interval: Int64) {
        self.since = since
        self.until = until
        self.interval = interval
        var total: [Int64: Int64] = [:]
        for series in stats.eventsByLevel.values { for point in series.points { total[point.start, default: 0] += point.count } }
        let starts = stats.newIssues.points.map(\.start)
        events = Events(total: starts.map { [$0, total[$0] ?? 0] },
                        byLevel: stats.eventsByLevel.mapValues { $0.points.map { [$0.start, $0.count] } },
                        byCategory: stats.eventsByCategory.mapValues { $0.points.map { [$0.start, $0.count] } })
        issues = Issues(new: stats.newIssues.points.map { [$0.start, $0.count] }, resolved: stats.resolvedIssues, meanTimeToResolve: stats.meanTimeToResolve)
    }
}
