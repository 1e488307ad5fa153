/// A project's performance settings: Apdex thresholds, the problem detectors' thresholds and
/// what counts as a regression.
public struct PerformanceSettings: Sendable, Hashable, Codable {
    /// Apdex T in milliseconds for the project…
    public var apdexThreshold: Double
    /// …and per transaction name.
    public var transactionThresholds: [String: Double]
    /// Whether N+1, consecutive-HTTP and slow-query problems open issues.
    public var detectProblems: Bool
    public var problems: PerformanceThresholds
    /// p95 this many times the baseline's is a regression…
    public var regressionFactor: Double
    /// …with at least this many transactions in each window.
    public var regressionMinimumCount: Int
    /// The baseline: this release's last 14 days against the last hour of the others; nil
    /// compares with the same hour of the previous week.
    public var regressionBaselineRelease: String?

    public init(apdexThreshold: Double = Apdex.defaultThreshold, transactionThresholds: [String: Double] = [:], detectProblems: Bool = true,
                problems: PerformanceThresholds = PerformanceThresholds(), regressionFactor: Double = 1.5, regressionMinimumCount: Int = 30, regressionBaselineRelease: String? = nil) {
        self.regressionBaselineRelease = regressionBaselineRelease
        self.apdexThreshold = apdexThreshold
        self.transactionThresholds = transactionThresholds
        self.detectProblems = detectProblems
        self.problems = problems
        self.regressionFactor = regressionFactor
        self.regressionMinimumCount = regressionMinimumCount
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = PerformanceSettings()
        apdexThreshold = try c.decodeIfPresent(Double.self, forKey: .apdexThreshold) ?? defaults.apdexThreshold
        transactionThresholds = try c.decodeIfPresent([String: Double].self, forKey: .transactionThresholds) ?? [:]
        detectProblems = try c.decodeIfPresent(Bool.self, forKey: .detectProblems) ?? true
        problems = try c.decodeIfPresent(PerformanceThresholds.self, forKey: .problems) ?? defaults.problems
        regressionFactor = try c.decodeIfPresent(Double.self, forKey: .regressionFactor) ?? defaults.regressionFactor
        regressionMinimumCount = try c.decodeIfPresent(Int.self, forKey: .regressionMinimumCount) ?? defaults.regressionMinimumCount
        regressionBaselineRelease = try c.decodeIfPresent(String.self, forKey: .regressionBaselineRelease).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Throws for values no project could mean.
    public func validate() throws(ValidationError) {
        let milliseconds = 1.0...600_000.0
        guard milliseconds.contains(apdexThreshold) else { throw ValidationError(field: "performance.apdexThreshold", reason: "must be 1 to 600000 ms") }
        guard transactionThresholds.count <= 500 else { throw ValidationError(field: "performance.transactionThresholds", reason: "has more than 500 entries") }
        for (name, value) in transactionThresholds where !milliseconds.contains(value) || name.isEmpty {
            throw ValidationError(field: "performance.transactionThresholds", reason: "'\(name)' must be a name with 1 to 600000 ms")
        }
        guard (2...1000).contains(problems.nPlusOneCount), (2...1000).contains(problems.consecutiveHTTPCount),
              problems.nPlusOneTotalMilliseconds >= 0, problems.consecutiveHTTPSavedMilliseconds >= 0,
              milliseconds.contains(problems.slowQueryWarningMilliseconds), problems.slowQueryErrorMilliseconds >= problems.slowQueryWarningMilliseconds
        else { throw ValidationError(field: "performance.problems", reason: "counts must be 2 to 1000, times non-negative, the slow-query error threshold at least the warning one") }
        guard (1.05...100).contains(regressionFactor) else { throw ValidationError(field: "performance.regressionFactor", reason: "must be 1.05 to 100") }
        guard (1...1_000_000).contains(regressionMinimumCount) else { throw ValidationError(field: "performance.regressionMinimumCount", reason: "must be 1 to 1000000") }
        if let release = regressionBaselineRelease, release.count > 200 {
            throw ValidationError(field: "performance.regressionBaselineRelease", reason: "must be at most 200 characters")
        }
    }

    /// T for one transaction.
    public func threshold(for transaction: String) -> Double { transactionThresholds[transaction] ?? apdexThreshold }
}
