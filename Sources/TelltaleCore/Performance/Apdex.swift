/// Sentry's Apdex and user misery, so SDK users read the figures they know.
public enum Apdex {
    /// The default threshold T, in milliseconds.
    public static let defaultThreshold = 300.0

    /// Where one duration falls against T: satisfied ≤ T, tolerable ≤ 4T, frustrated above.
    public enum Zone: Sendable, Equatable {
        case satisfied, tolerable, frustrated
    }

    public static func zone(durationMilliseconds: Double, threshold: Double) -> Zone {
        if durationMilliseconds <= threshold { return .satisfied }
        return durationMilliseconds <= 4 * threshold ? .tolerable : .frustrated
    }

    /// (satisfied + tolerable / 2) / total; nil without transactions.
    public static func score(satisfied: Int64, tolerable: Int64, total: Int64) -> Double? {
        guard total > 0 else { return nil }
        return (Double(satisfied) + Double(tolerable) / 2) / Double(total)
    }

    /// Sentry's user misery score: the share of unique users who were frustrated, with the
    /// Bayesian prior Sentry uses (α = 5.8875, β = 111.8625) so a handful of users does not read as 100 %.
    public static func userMisery(miserableUsers: Int64, users: Int64) -> Double? {
        guard users > 0 else { return nil }
        let alpha = 5.8875, beta = 111.8625
        return (Double(miserableUsers) + alpha) / (Double(users) + alpha + beta)
    }
}

/// A count, failures and the Apdex zones of a set of durations, with their sketch.
public struct DurationStats: Sendable, Equatable {
    public var count: Int64 = 0
    public var failures: Int64 = 0
    /// Satisfied (transactions) or good (web vitals).
    public var good: Int64 = 0
    /// Tolerable (transactions) or needs improvement (web vitals).
    public var fair: Int64 = 0
    public var sketch = DDSketch()
    /// The slowest sample seen: its event id and value.
    public var exampleEventID: String?
    public var exampleValue: Double = -1
    /// Distinct users (transactions only), and those frustrated (over 4T).
    public var users = UserSketch()
    public var miserableUsers = UserSketch()

    public init() {}

    public mutating func merge(_ other: DurationStats) {
        count += other.count
        failures += other.failures
        good += other.good
        fair += other.fair
        sketch.merge(other.sketch)
        users.merge(other.users)
        miserableUsers.merge(other.miserableUsers)
        if other.exampleValue > exampleValue, let id = other.exampleEventID {
            exampleEventID = id
            exampleValue = other.exampleValue
        }
    }

    public mutating func add(_ value: Double, failed: Bool = false, good isGood: Bool, fair isFair: Bool, eventID: String?) {
        count += 1
        if failed { failures += 1 }
        if isGood { good += 1 } else if isFair { fair += 1 }
        sketch.add(value)
        if value > exampleValue, let eventID {
            exampleEventID = eventID
            exampleValue = value
        }
    }

    public var apdex: Double? { Apdex.score(satisfied: good, tolerable: fair, total: count) }
    public var failureRate: Double? { count > 0 ? Double(failures) / Double(count) : nil }
    /// Sentry's user misery score over the users seen.
    public var userMisery: Double? { Apdex.userMisery(miserableUsers: miserableUsers.count, users: users.count) }
    /// Shares of good, needs-improvement and poor.
    public var shares: (good: Double, fair: Double, poor: Double)? {
        guard count > 0 else { return nil }
        let n = Double(count)
        return (Double(good) / n, Double(fair) / n, Double(count - good - fair) / n)
    }
}
