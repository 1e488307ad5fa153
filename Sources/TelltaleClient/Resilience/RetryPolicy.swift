import Foundation

/// How often and how patiently to try again: exponential backoff with jitter. Pure; the
/// randomness comes in, so tests know the delays.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var multiplier: Double
    public var maxDelay: Duration
    /// Share of each delay that is random (0: none; 1: anywhere from 0 to the delay).
    public var jitter: Double

    public init(maxAttempts: Int = 5, baseDelay: Duration = .seconds(1), multiplier: Double = 2, maxDelay: Duration = .seconds(60), jitter: Double = 0.2) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.multiplier = max(1, multiplier)
        self.maxDelay = maxDelay
        self.jitter = min(1, max(0, jitter))
    }

    /// The wait after failed attempt `attempt` (1-based), with `random` in 0..<1.
    public func delay(afterAttempt attempt: Int, random: Double) -> Duration {
        let base = Self.seconds(baseDelay) * pow(multiplier, Double(max(0, attempt - 1)))
        let capped = min(base, Self.seconds(maxDelay))
        let seconds = capped * (1 - jitter * min(1, max(0, random)))
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
