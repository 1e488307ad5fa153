/// What a window's service levels are made of: requests, errors (all, of critical issues, of
/// revenue-blocking issues), the issues resolved with how long each took, and the share of
/// incidents resolved without anyone.
public struct ServiceLevelFigures: Sendable, Hashable {
    public var requests: Int64 = 0
    public var errors: Int64 = 0
    public var criticalErrors: Int64 = 0
    public var revenueBlockingErrors: Int64 = 0
    /// Minutes from first seen to resolved, per severity (unclassified issues count as medium).
    public var resolveMinutes: [IssueSeverity: [Double]] = [:]
    public var autoResolutionRate: Double?

    public init() {}
}

/// One target and whether it holds: `actual` against `target`, both in `unit`.
public struct ServiceLevel: Sendable, Hashable, Codable {
    public var name: String
    public var unit: String
    public var target: Double
    public var actual: Double?
    /// Nil when there was nothing to measure.
    public var holds: Bool?
    public var detail: String

    public init(name: String, unit: String, target: Double, actual: Double?, holds: Bool?, detail: String) {
        self.name = name
        self.unit = unit
        self.target = target
        self.actual = actual
        self.holds = holds
        self.detail = detail
    }
}

public enum ServiceLevels {
    /// The error-rate targets (errors ÷ requests, in percent, at most the target) and the mean
    /// time to resolve per severity (at most the target), in that order.
    public static func evaluate(_ figures: ServiceLevelFigures, settings: BusinessSettings) -> [ServiceLevel] {
        func rate(_ name: String, _ errors: Int64, _ target: Double) -> ServiceLevel {
            guard figures.requests > 0 else {
                return ServiceLevel(name: name, unit: "%", target: target, actual: nil, holds: nil, detail: "\(errors) errors, no requests measured")
            }
            let value = 100 * Double(errors) / Double(figures.requests)
            return ServiceLevel(name: name, unit: "%", target: target, actual: value, holds: value <= target,
                                detail: "\(errors) errors in \(figures.requests) requests")
        }
        var levels = [
            rate("Error rate", figures.errors, settings.errorRateTargets.overall),
            rate("Critical error rate", figures.criticalErrors, settings.errorRateTargets.critical),
            rate("Revenue-blocking error rate", figures.revenueBlockingErrors, settings.errorRateTargets.revenueBlocking),
        ]
        for severity in [IssueSeverity.critical, .high, .medium, .low] {
            guard let target = settings.resolveTargetsMinutes.minutes(for: severity) else { continue }
            let times = figures.resolveMinutes[severity] ?? []
            let mean = times.isEmpty ? nil : times.reduce(0, +) / Double(times.count)
            levels.append(ServiceLevel(name: "Time to resolve, \(severity.rawValue)", unit: "min", target: target, actual: mean, holds: mean.map { $0 <= target },
                                       detail: times.isEmpty ? "no \(severity.rawValue) issue resolved" : "mean of \(times.count) resolved"))
        }
        return levels
    }
}
