public import Foundation

/// Slows down password guessing: after `maxFailures` failed sign-ins for the same account
/// under one key (an account, an address) within `window`, further attempts are refused until the
/// window has passed. Pure state; the web layer keeps one in an actor.
public struct LoginThrottle: Sendable {
    public let maxFailures: Int
    public let window: TimeInterval
    private var failures: [String: [Date]] = [:]

    public init(maxFailures: Int = 5, window: TimeInterval = 15 * 60) {
        self.maxFailures = maxFailures
        self.window = window
    }

    /// When the key may try again, or `nil` when it may try now.
    public func retryAfter(_ key: String, now: Date) -> Date? {
        let recent = (failures[key] ?? []).filter { now.timeIntervalSince($0) < window }
        guard recent.count >= maxFailures, let oldest = recent.suffix(maxFailures).first else { return nil }
        return oldest.addingTimeInterval(window)
    }

    /// Records a failed attempt under the key.
    public mutating func recordFailure(_ key: String, now: Date) {
        var recent = (failures[key] ?? []).filter { now.timeIntervalSince($0) < window }
        recent.append(now)
        failures[key] = Array(recent.suffix(maxFailures))
        // Forget stale keys so a scan of many addresses cannot grow memory without bound.
        if failures.count > 10_000 {
            failures = failures.filter { $0.value.contains { now.timeIntervalSince($0) < window } }
        }
    }

    /// A successful sign-in clears the account's failures (not the address's).
    public mutating func recordSuccess(_ key: String) {
        failures[key] = nil
    }
}
