import Foundation
import Logging
import Metrics
import TelltaleCore
import TelltaleStore

/// Error metrics for Prometheus, with bounded label values (the top ones, the rest `other`):
///
/// - counters, counted by the node leading the `error-metrics` job as it follows stored
///   events and resolutions by a persisted position (so a node taking over carries on):
///   `telltale_events_total{project,level,severity,category}`,
///   `telltale_errors_by_endpoint_total{project,endpoint}` (top 50 endpoints per project),
///   `telltale_issue_resolution_seconds{severity}` (histogram, first seen to resolved);
/// - gauges, read from the database on every node (the installation's, the same everywhere):
///   `telltale_issues_open{project,severity}`, `telltale_error_rate{project}` (errors ÷
///   transactions over 5 minutes, for projects that send transactions).
actor ErrorMetrics {
    static let eventsPosition = "error-metrics-events"
    static let resolutionsPosition = "error-metrics-resolutions"
    static let resolutionBuckets: [Double] = [60, 300, 900, 3_600, 4 * 3_600, 12 * 3_600, 86_400, 3 * 86_400, 7 * 86_400, 30 * 86_400]
    static let endpointsPerProject = 50
    static let categories = 20

    let source: ErrorMetricsSQL
    let factory: any MetricsFactory
    /// Whether this node leads the `error-metrics` job (counts the counters).
    let leads: @Sendable () -> Bool
    let logger: Logger
    /// The refresh running now: a scrape arriving meanwhile waits for it instead of starting another.
    var running: Task<Void, Never>?
    var bounds = LabelBounds()
    var boundsRefreshedAt: Date?
    /// Gauge series set last time, so a series that disappears is set to zero rather than left stale.
    var openSeries: Set<[String]> = []
    var rateSeries: Set<String> = []

    init(source: ErrorMetricsSQL, factory: any MetricsFactory, leads: @escaping @Sendable () -> Bool, logger: Logger) {
        self.source = source
        self.factory = factory
        self.leads = leads
        self.logger = logger
    }

    /// Brings the metrics up to date: counts on the node leading the `error-metrics` job,
    /// samples the gauges everywhere. Run every 15 s and before each scrape.
    func refresh(now: Date) async {
        if let running {
            await running.value
            return
        }
        let task = Task { await self.pass(now: now) }
        running = task
        await task.value
        running = nil
    }

    func pass(now: Date) async {
        do {
            if leads() { try await count(now: now) }
            try await sample(now: now)
        } catch {
            logger.warning("Error metrics not refreshed", metadata: ["error": "\(error)"])
        }
    }

    /// Counts events and resolutions stored since the last pass (on the leading node).
    func count(now: Date) async throws {
        try await refreshBounds(now: now)
        // A first pass starts at the newest event: history is not replayed into a counter.
        var position: Int64
        if let stored = try await source.position(Self.eventsPosition) {
            position = stored
        } else {
            position = try await source.latestEventRow()
            try await source.setPosition(Self.eventsPosition, position)
        }
        while true {
            let facts = try await source.events(after: position, limit: 5_000)
            guard let last = facts.last else { break }
            var events: [[String]: Int] = [:]
            var endpoints: [[String]: Int] = [:]
            for fact in facts {
                events[[fact.project, bounds.level(fact.level), bounds.severity(fact.severity), bounds.category(fact.category)], default: 0] += 1
                if !fact.endpoint.isEmpty { endpoints[[fact.project, bounds.endpoint(fact.endpoint, project: fact.project)], default: 0] += 1 }
            }
            for (labels, count) in events {
                Counter(label: "telltale_events_total", dimensions: [("project", labels[0]), ("level", labels[1]), ("severity", labels[2]), ("category", labels[3])],
                        factory: factory).increment(by: count)
            }
            for (labels, count) in endpoints {
                Counter(label: "telltale_errors_by_endpoint_total", dimensions: [("project", labels[0]), ("endpoint", labels[1])], factory: factory).increment(by: count)
            }
            position = last.row
            try await source.setPosition(Self.eventsPosition, position)
            if facts.count < 5_000 { break }
        }
        var resolvedAfter: Int64
        if let stored = try await source.position(Self.resolutionsPosition) {
            resolvedAfter = stored
        } else {
            resolvedAfter = Int64((now.timeIntervalSince1970 * 1000).rounded())
            try await source.setPosition(Self.resolutionsPosition, resolvedAfter)
        }
        let resolutions = try await source.resolutions(after: resolvedAfter, limit: 10_000)
        for resolution in resolutions {
            Recorder(label: "telltale_issue_resolution_seconds", dimensions: [("severity", bounds.severity(resolution.severity))], aggregate: true, factory: factory)
                .record(resolution.seconds)
        }
        if let last = resolutions.last { try await source.setPosition(Self.resolutionsPosition, last.resolvedAt) }
    }

    /// Reads the gauges (on every node).
    func sample(now: Date) async throws {
        var seen: Set<[String]> = []
        for open in try await source.openIssues() {
            let labels = [open.project, bounds.severity(open.severity)]
            seen.insert(labels)
            Gauge(label: "telltale_issues_open", dimensions: [("project", labels[0]), ("severity", labels[1])], factory: factory).record(open.count)
        }
        for gone in openSeries.subtracting(seen) {
            Gauge(label: "telltale_issues_open", dimensions: [("project", gone[0]), ("severity", gone[1])], factory: factory).record(0)
        }
        openSeries = seen
        var rated: Set<String> = []
        for rate in try await source.rates(since: now.addingTimeInterval(-300)) {
            rated.insert(rate.project)
            Gauge(label: "telltale_error_rate", dimensions: [("project", rate.project)], factory: factory).record(Double(rate.errors) / Double(rate.transactions))
        }
        for gone in rateSeries.subtracting(rated) { Gauge(label: "telltale_error_rate", dimensions: [("project", gone)], factory: factory).record(0) }
        rateSeries = rated
    }

    /// The top endpoints and categories, read again every 10 minutes.
    func refreshBounds(now: Date) async throws {
        if let last = boundsRefreshedAt, now.timeIntervalSince(last) < 600 { return }
        bounds.endpoints = try await source.topEndpoints(since: now.addingTimeInterval(-86_400), perProject: Self.endpointsPerProject)
        bounds.categories = try await source.topCategories(limit: Self.categories)
        boundsRefreshedAt = now
    }
}

/// Keeps label values to a bounded set: known levels and severities, the top categories and
/// each project's top endpoints (read from the database every 10 minutes; a new value takes a
/// free place until the set is full); anything else is `other`.
struct LabelBounds: Sendable {
    var endpoints: [String: Set<String>] = [:]
    var categories: Set<String> = []
    var endpointLimit = ErrorMetrics.endpointsPerProject
    var categoryLimit = ErrorMetrics.categories

    func level(_ value: String) -> String { EventLevel(rawValue: value) != nil ? value : "other" }

    func severity(_ value: String) -> String { IssueSeverity(rawValue: value) != nil || value == "unclassified" ? value : "other" }

    mutating func category(_ value: String) -> String {
        if value == "unclassified" || categories.contains(value) { return value }
        guard categories.count < categoryLimit else { return "other" }
        categories.insert(value)
        return value
    }

    mutating func endpoint(_ value: String, project: String) -> String {
        if endpoints[project]?.contains(value) == true { return value }
        guard endpoints[project, default: []].count < endpointLimit else { return "other" }
        endpoints[project, default: []].insert(value)
        return value
    }
}
