import Crypto
public import Foundation
public import SentryProtocol
public import TelltaleCore
public import TelltalePerformance

/// Business events in, metrics out: active users per day, each event's count, users, adoption
/// and value, revenue per day and the churn signal, all from the daily and weekly figures the
/// writer keeps (never a scan of the events).
public struct BusinessMetricsReports: Sendable {
    let repositories: Repositories

    public init(repositories: Repositories) {
        self.repositories = repositories
    }

    /// Parses (throwing `BusinessEvent.Problem`), hashes the user ids of, and stores a
    /// request's events; (new, already stored).
    public func record(_ body: JSONValue, project: Project, now: Date) async throws -> (accepted: Int, duplicates: Int) {
        let events = try BusinessEvent.parse(body, now: now) { Self.hash(user: $0, project: project.id) }
        let funnels = try await repositories.business.funnels(organizationID: project.organizationID)
        let accepted = try await repositories.business.recordEvents(projectID: project.id, events, funnels: funnels, receivedAt: now)
        return (accepted, events.count - accepted)
    }

    /// A user id as stored: SHA-256 of the project and the id, so the raw id is never kept.
    static func hash(user: String, project: ProjectID) -> String {
        SHA256.hash(data: Data("\(project):\(user)".utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    public func metrics(_ organization: Organization, window: PerformanceWindow, project: ProjectID?, now: Date, churnDropPercent: Double = 50) async throws -> BusinessMetrics {
        let projects = try await repositories.projects.projects(organizationID: organization.id).map(\.id).filter { project == nil || $0 == project }
        let days = try await repositories.business.eventDays(projects: projects, from: window.fromMilliseconds, to: window.toMilliseconds)
        var active: [Int64: UserSketch] = [:], revenue: [Int64: Double] = [:], everyone = UserSketch()
        struct Tally { var count: Int64 = 0; var value = 0.0; var users = UserSketch() }
        var byName: [String: Tally] = [:]
        for day in days {
            if day.name == "*" {
                active[day.day, default: UserSketch()].merge(day.users)
                revenue[day.day, default: 0] += day.value
                everyone.merge(day.users)
            } else {
                byName[day.name, default: Tally()].count += day.count
                byName[day.name, default: Tally()].value += day.value
                byName[day.name, default: Tally()].users.merge(day.users)
            }
        }
        let total = everyone.count
        let dayStarts = Array(stride(from: window.fromMilliseconds / 86_400_000 * 86_400_000, to: window.toMilliseconds, by: 86_400_000))
        let latest = BusinessWeek.start(Int64(now.timeIntervalSince1970 * 1000)) - BusinessWeek.length, previous = latest - BusinessWeek.length
        let churn = try await repositories.business.churn(projects: projects, previous: previous, latest: latest, dropPercent: churnDropPercent)
        return BusinessMetrics(
            period: window.period, from: window.from, to: window.to,
            activeUsers: dayStarts.map { .init(day: Self.date($0), users: active[$0]?.count ?? 0) }, activeUsersTotal: total,
            events: byName.map { name, tally in
                BusinessMetrics.EventRow(name: name, count: tally.count, users: tally.users.count, value: tally.value,
                                         adoption: total > 0 ? min(1, Double(tally.users.count) / Double(total)) : nil)
            }.sorted { ($0.count, $1.name) > ($1.count, $0.name) },
            revenue: dayStarts.map { .init(day: Self.date($0), value: revenue[$0] ?? 0) }, revenueTotal: revenue.values.reduce(0, +),
            churn: churn, churnWeeks: .init(previous: Self.date(previous), latest: Self.date(latest)),
            conversions: try await conversions(organization, window: window))
    }

    static func date(_ ms: Int64) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }

    /// Each funnel's attempts in the window and how many converted (its daily rows, summed).
    func conversions(_ organization: Organization, window: PerformanceWindow) async throws -> [BusinessMetrics.Conversion] {
        var rows: [BusinessMetrics.Conversion] = []
        for funnel in try await repositories.business.funnels(organizationID: organization.id) {
            let steps = try await repositories.business.funnelSteps(funnel.id, segment: nil, from: window.fromMilliseconds, to: window.toMilliseconds)
            let figures = FunnelReports.figures(funnel.draft, steps)
            rows.append(.init(funnel: funnel.id.description, name: funnel.draft.name, entered: figures.entered, converted: figures.converted,
                              conversion: figures.conversion))
        }
        return rows
    }
}

/// `GET …/business-metrics/`: user activity, events with adoption, revenue and churn.
public struct BusinessMetrics: Sendable, Encodable {
    public struct DayUsers: Sendable, Encodable { public var day: Date; public var users: Int64 }
    public struct DayValue: Sendable, Encodable { public var day: Date; public var value: Double }
    public struct EventRow: Sendable, Encodable {
        public var name: String
        public var count: Int64
        public var users: Int64
        public var value: Double
        /// Users of the event among the window's active users.
        public var adoption: Double?

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(count, forKey: .count)
            try c.encode(users, forKey: .users)
            try c.encode(value, forKey: .value)
            try c.encode(adoption, forKey: .adoption)
        }

        enum CodingKeys: String, CodingKey { case name, count, users, value, adoption }
    }
    public struct Weeks: Sendable, Encodable { public var previous: Date; public var latest: Date }
    /// A funnel's attempts that started in the window and reached its last step.
    public struct Conversion: Sendable, Encodable {
        public var funnel: String
        public var name: String
        public var entered: Int64
        public var converted: Int64
        public var conversion: Double?

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(funnel, forKey: .funnel)
            try c.encode(name, forKey: .name)
            try c.encode(entered, forKey: .entered)
            try c.encode(converted, forKey: .converted)
            try c.encode(conversion, forKey: .conversion)
        }

        enum CodingKeys: String, CodingKey { case funnel, name, entered, converted, conversion }
    }

    public var period: String
    public var from: Date
    public var to: Date
    public var activeUsers: [DayUsers]
    public var activeUsersTotal: Int64
    public var events: [EventRow]
    public var revenue: [DayValue]
    public var revenueTotal: Double
    public var churn: ChurnSignal
    /// The two weeks (their Mondays) the churn signal compares.
    public var churnWeeks: Weeks
    public var conversions: [Conversion]

    enum CodingKeys: String, CodingKey {
        case period, from, to, events, revenue, churn, conversions
        case activeUsers = "active_users", activeUsersTotal = "active_users_total", revenueTotal = "revenue_total", churnWeeks = "churn_weeks"
    }
}
