public import Foundation

/// The flap-protected state of one monitor: a failure threshold (consecutive failures before
/// `down`) and a recovery threshold (consecutive successes before leaving `down`).
public struct MonitorState: Sendable, Hashable, Codable {
    /// The current status.
    public var status: MonitorStatus
    /// Consecutive failing results, ending with the latest.
    public var consecutiveFailures: Int
    /// Consecutive passing results, ending with the latest.
    public var consecutiveSuccesses: Int
    /// When the current run of same-kind results began (the first failure of a failing run),
    /// so a downtime starts at the first failure rather than when the threshold was reached.
    public var streakStartedAt: Date?
    /// When `status` last changed.
    public var since: Date

    public init(status: MonitorStatus, consecutiveFailures: Int = 0, consecutiveSuccesses: Int = 0, streakStartedAt: Date? = nil, since: Date) {
        self.status = status
        self.consecutiveFailures = consecutiveFailures
        self.consecutiveSuccesses = consecutiveSuccesses
        self.streakStartedAt = streakStartedAt
        self.since = since
    }

    /// A new monitor, before its first result.
    public static func pending(at date: Date) -> MonitorState { MonitorState(status: .pending, since: date) }
}

/// A change of status, with when it took effect and why.
public struct MonitorTransition: Sendable, Hashable, Codable {
    /// The status left.
    public var from: MonitorStatus
    /// The status entered.
    public var to: MonitorStatus
    /// When it took effect: for `down` and for recovery, the first result of the run that caused it.
    public var at: Date
    /// What caused it, in words (the deciding result's message).
    public var cause: String

    public init(from: MonitorStatus, to: MonitorStatus, at: Date, cause: String) {
        self.from = from
        self.to = to
        self.at = at
        self.cause = cause
    }
}

/// The pure rules that turn results into state changes; the scheduler applies the actions.
public struct MonitorStateMachine: Sendable, Hashable {
    /// Consecutive failures before `down` (at least 1).
    public var failureThreshold: Int
    /// Consecutive successes before `down` ends (at least 1).
    public var recoveryThreshold: Int

    public init(failureThreshold: Int, recoveryThreshold: Int) {
        self.failureThreshold = max(1, failureThreshold)
        self.recoveryThreshold = max(1, recoveryThreshold)
    }

    /// Applies one result taken at `at`; returns the new state and the transition, if any.
    public func apply(_ verdict: CheckVerdict, message: String, at: Date, to state: MonitorState) -> (MonitorState, MonitorTransition?) {
        var next = state
        if state.status == .paused { return (state, nil) }
        if verdict.isFailure {
            if next.consecutiveFailures == 0 { next.streakStartedAt = at }
            next.consecutiveFailures += 1
            next.consecutiveSuccesses = 0
        } else {
            if next.consecutiveSuccesses == 0 { next.streakStartedAt = at }
            next.consecutiveSuccesses += 1
            next.consecutiveFailures = 0
        }
        let target: MonitorStatus
        switch state.status {
        case .down:
            target = !verdict.isFailure && next.consecutiveSuccesses >= recoveryThreshold ? verdict.status : .down
        case .pending, .up, .degraded:
            if verdict.isFailure {
                target = next.consecutiveFailures >= failureThreshold ? .down : state.status
            } else {
                // Between up and degraded there is nothing to flap about: the check answered.
                target = verdict.status
            }
        case .paused:
            target = .paused
        }
        guard target != state.status else { return (next, nil) }
        let effective = (target == .down || state.status == .down) ? (next.streakStartedAt ?? at) : at
        next.status = target
        next.since = effective
        return (next, MonitorTransition(from: state.status, to: target, at: effective, cause: message))
    }

    /// Pausing or resuming: a resumed monitor starts over as `pending`.
    public func setPaused(_ paused: Bool, at: Date, state: MonitorState) -> (MonitorState, MonitorTransition?) {
        if paused {
            guard state.status != .paused else { return (state, nil) }
            return (MonitorState(status: .paused, since: at), MonitorTransition(from: state.status, to: .paused, at: at, cause: "paused"))
        }
        guard state.status == .paused else { return (state, nil) }
        return (.pending(at: at), MonitorTransition(from: .paused, to: .pending, at: at, cause: "resumed"))
    }
}

extension CheckVerdict {
    /// The status a passing verdict leads to.
    var status: MonitorStatus {
        switch self {
        case .up: .up
        case .degraded: .degraded
        case .down: .down
        }
    }
}
