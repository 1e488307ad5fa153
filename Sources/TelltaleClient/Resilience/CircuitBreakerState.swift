public import Foundation

/// A circuit breaker as a state machine (closed → open → half-open), driven by outcomes and
/// the time given to it. Pure; `CircuitBreaker` runs it around real calls.
public struct CircuitBreakerState: Sendable, Hashable {
    public enum Phase: String, Sendable, Hashable { case closed, open, halfOpen = "half_open" }
    public enum Transition: Sendable, Hashable { case opened(failures: Int), halfOpened, closed }

    /// Consecutive failures that open it.
    public var failureThreshold: Int
    /// How long it stays open before letting one call try.
    public var resetTimeout: TimeInterval
    public private(set) var phase: Phase = .closed
    public private(set) var consecutiveFailures = 0
    public private(set) var openedAt: Date?
    /// A half-open breaker lets one call through at a time.
    public private(set) var trialInFlight = false

    public init(failureThreshold: Int = 5, resetTimeout: TimeInterval = 30) {
        self.failureThreshold = max(1, failureThreshold)
        self.resetTimeout = max(0, resetTimeout)
    }

    /// Whether a call may go now; moves open to half-open when the timeout has passed.
    public mutating func allow(now: Date) -> (allowed: Bool, transition: Transition?) {
        switch phase {
        case .closed: return (true, nil)
        case .open:
            guard let openedAt, now.timeIntervalSince(openedAt) >= resetTimeout else { return (false, nil) }
            phase = .halfOpen
            trialInFlight = true
            return (true, .halfOpened)
        case .halfOpen:
            guard !trialInFlight else { return (false, nil) }
            trialInFlight = true
            return (true, nil)
        }
    }

    public mutating func recordSuccess() -> Transition? {
        consecutiveFailures = 0
        trialInFlight = false
        guard phase != .closed else { return nil }
        phase = .closed
        openedAt = nil
        return .closed
    }

    public mutating func recordFailure(now: Date) -> Transition? {
        consecutiveFailures += 1
        trialInFlight = false
        switch phase {
        case .halfOpen:
            phase = .open
            openedAt = now
            return .opened(failures: consecutiveFailures)
        case .closed where consecutiveFailures >= failureThreshold:
            phase = .open
            openedAt = now
            return .opened(failures: consecutiveFailures)
        default: return nil
        }
    }
}
