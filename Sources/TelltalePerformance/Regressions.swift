public import Foundation
public import SentryProtocol
public import TelltaleCore
import TelltaleIngest

/// Finds transactions (and API metrics) whose p95 of the last hour, and of its last half hour,
/// runs slower than the same hour a week before by the project's factor; opens a
/// "performance regression" issue for each (grouped by transaction, like the other
/// performance problems).
public struct RegressionFinder: Sendable {
    let repositories: Repositories

    public init(repositories: Repositories) {
        self.repositories = repositories
    }

    public struct Regression: Sendable, Codable, Equatable {
        public var name: String
        public var currentP95: Double
        public var baselineP95: Double
        public var ratio: Double
        public var count: Int64
        /// What the p95 was compared with.
        public var baseline: String

        enum CodingKeys: String, CodingKey {
            case name, ratio, count, baseline
            case currentP95 = "current_p95", baselineP95 = "baseline_p95"
        }
    }

    /// Regressions of a project's transactions (`.transaction`) or metrics (`.metric`) at `now`:
    /// against the same hour a week before, or against the project's baseline release.
    public func find(_ project: Project, kind: PerformanceKind, names: Set<String>? = nil, now: Date) async throws -> [Regression] {
        let settings = project.settings.performance
        let at = Int64(now.timeIntervalSince1970 * 1000)
        let hour = PerformanceTally.hour, week = 7 * PerformanceTally.day
        let baselineRelease = settings.regressionBaselineRelease
        func merged(from: Int64, to: Int64, minutes: Bool, release: String? = nil) async throws -> [String: DurationStats] {
            // Minute rows give the last hour exactly; a week back only hourly rows remain.
            let stats = try await repositories.performance.stats(PerformanceQuery(
                projectID: project.id.rawValue, kind: kind, from: from, to: to, segmentDimension: nil, release: release,
                resolution: minutes ? PerformanceTally.minute : nil, groupBy: baselineRelease == nil ? [.name] : [.name, .release]))
            var byName: [String: DurationStats] = [:]
            for (key, value) in stats where names?.contains(key.name) ?? true {
                // Against a baseline release, the recent figures are the other releases'.
                if release == nil, let baselineRelease, key.release == baselineRelease { continue }
                byName[key.name, default: DurationStats()].merge(value)
            }
            return byName
        }
        let current = try await merged(from: at - hour, to: at + 1, minutes: true)
        guard !current.isEmpty else { return [] }
        let half = try await merged(from: at - hour / 2, to: at + 1, minutes: true)
        let baseline = if let baselineRelease {
            try await merged(from: at - 2 * week, to: at + 1, minutes: false, release: baselineRelease)
        } else {
            try await merged(from: at - week - hour, to: at - week, minutes: false)
        }
        return current.compactMap { name, stats in
            guard let before = baseline[name], let recent = half[name],
                  let finding = RegressionDetector.judge(current: stats.sketch, recentHalf: recent.sketch, baseline: before.sketch,
                                                         factor: settings.regressionFactor, minimumCount: settings.regressionMinimumCount)
            else { return nil }
            return Regression(name: name, currentP95: finding.currentP95, baselineP95: finding.baselineP95, ratio: finding.ratio, count: stats.count,
                              baseline: baselineRelease.map { "release \($0)" } ?? "the same hour last week")
        }.sorted { $0.ratio > $1.ratio }
    }

    /// The issue event of a regression.
    public static func event(_ regression: Regression, kind: PerformanceKind) -> JSONValue {
        let what = kind == .metric ? "metric" : "transaction"
        let message = "p95 of \(regression.name) rose from \(Int(regression.baselineP95.rounded())) ms to \(Int(regression.currentP95.rounded())) ms "
            + "(\(String(format: "%.1f", regression.ratio))× \(regression.baseline))"
        return .object([
            "level": .string("warning"),
            "logger": .string("telltale.performance"),
            "platform": .string("other"),
            "message": .string("\(PerformanceProblem.Kind.regression.title): \(message)"),
            "culprit": .string(regression.name),
            "transaction": .string(regression.name),
            "fingerprint": .array([.string("performance"), .string(PerformanceProblem.Kind.regression.rawValue), .string(what), .string(regression.name)]),
            "tags": .object(["performance.problem": .string(PerformanceProblem.Kind.regression.rawValue), what: .string(regression.name)]),
            "contexts": .object(["performance_problem": .object([
                "kind": .string(PerformanceProblem.Kind.regression.rawValue), "current_p95": .double(regression.currentP95),
                "baseline_p95": .double(regression.baselineP95), "ratio": .double(regression.ratio), "count": .int(regression.count),
            ])]),
        ])
    }
}
