public import Foundation
public import SentryProtocol
public import TelltaleCore

/// Metrics that do not come from an SDK (`POST …/performance/metrics/`): validated, stored as
/// statistics like spans, and checked for a regression against the same hour last week.
public struct MetricsIntake: Sendable {
    let repositories: Repositories

    public init(repositories: Repositories) {
        self.repositories = repositories
    }

    public struct Metric: Sendable, Equatable {
        public var name: String
        public var value: Double
        public var unit: String
        public var timestamp: Double
        public var environment: String?
        public var release: String?
    }

    public static let maxMetrics = 1000

    /// Reads `{"metrics": [...]}` or one metric object; each has `name`, `value`, optional `unit`
    /// (`millisecond`), `tags` (`environment`, `release` used) and `timestamp` (seconds or RFC 3339, within a day).
    public static func parse(_ body: JSONValue, now: Date) throws(ValidationError) -> [Metric] {
        let items = body["metrics"]?.arrayValue ?? [body]
        guard !items.isEmpty else { throw ValidationError(field: "metrics", reason: "is empty") }
        guard items.count <= maxMetrics else { throw ValidationError(field: "metrics", reason: "has more than \(maxMetrics) entries") }
        return try items.enumerated().map { (index, item) throws(ValidationError) -> Metric in
            let field = items.count == 1 && body["metrics"] == nil ? "" : "metrics[\(index)]."
            guard let name = item["name"]?.stringValue, !name.isEmpty, name.count <= 200 else {
                throw ValidationError(field: field + "name", reason: "must be a string of 1 to 200 characters")
            }
            guard let value = item["value"]?.doubleValue, value.isFinite, value >= 0 else {
                throw ValidationError(field: field + "value", reason: "must be a non-negative number")
            }
            let timestamp = Timestamps.seconds(item["timestamp"]) ?? now.timeIntervalSince1970
            guard abs(timestamp - now.timeIntervalSince1970) <= 86_400 else {
                throw ValidationError(field: field + "timestamp", reason: "must be within a day of now")
            }
            let unit = item["unit"]?.stringValue ?? "millisecond"
            guard unit.count <= 32 else { throw ValidationError(field: field + "unit", reason: "must be at most 32 characters") }
            let tags = item["tags"]
            return Metric(name: name, value: value, unit: unit, timestamp: timestamp,
                          environment: tags?["environment"]?.scalarText, release: tags?["release"]?.scalarText)
        }
    }

    public struct Result: Sendable, Codable {
        public var accepted: Int
        public var regressionDetected: Bool
        public var regressions: [RegressionFinder.Regression]

        enum CodingKeys: String, CodingKey {
            case accepted, regressions
            case regressionDetected = "regression_detected"
        }
    }

    public func record(_ metrics: [Metric], project: Project, now: Date) async throws -> Result {
        var tally = PerformanceTally()
        for metric in metrics {
            tally.addMetric(projectID: project.id.rawValue, name: metric.name, unit: metric.unit, value: metric.value, timestamp: metric.timestamp,
                            environment: metric.environment, release: metric.release)
        }
        try await repositories.performance.record(tally)
        let regressions = try await RegressionFinder(repositories: repositories).find(project, kind: .metric, names: Set(metrics.map(\.name)), now: now)
        return Result(accepted: metrics.count, regressionDetected: !regressions.isEmpty, regressions: regressions)
    }
}
