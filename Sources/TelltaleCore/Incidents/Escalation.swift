public import Foundation

/// Where an incident's escalation stands; stored with the incident, so timers survive a restart.
public struct EscalationState: Sendable, Hashable, Codable {
    /// The policy's calendar steps apply (the incident opened inside, or outside, the calendar).
    public var calendarSteps: Bool
    public var round: Int
    /// The step that fires next.
    public var nextStep: Int
    public var roundStartedAt: Date?
    /// When the next step fires; `nil` when escalation is stopped or done.
    public var dueAt: Date?

    public init(calendarSteps: Bool = false, round: Int = 0, nextStep: Int = 0, roundStartedAt: Date? = nil, dueAt: Date? = nil) {
        self.calendarSteps = calendarSteps
        self.round = round
        self.nextStep = nextStep
        self.roundStartedAt = roundStartedAt
        self.dueAt = dueAt
    }
}

/// A step that fired: its round (0 is the first pass), its index and whom it notifies.
public struct EscalationFiring: Sendable, Hashable {
    public var round: Int
    public var step: Int
    public var targets: [EscalationTarget]
    public var runbook: RunbookID?
    public var at: Date

    public init(round: Int, step: Int, targets: [EscalationTarget], runbook: RunbookID? = nil, at: Date) {
        self.round = round
        self.step = step
        self.targets = targets
        self.runbook = runbook
        self.at = at
    }
}

/// The escalation state machine: pure, driven by the clock it is given.
public enum Escalation {
    /// The steps in force for `state`.
    public static func steps(_ policy: EscalationPolicy, _ state: EscalationState) -> [EscalationStep] {
        if state.calendarSteps, let calendar = policy.draft.calendar { return calendar.steps }
        return policy.draft.steps
    }

    /// Escalation of an incident opened at `now`: the calendar decides which steps apply.
    public static func start(_ policy: EscalationPolicy, at now: Date, calendars: [BusinessCalendarID: BusinessCalendar]) -> EscalationState {
        var state = EscalationState(roundStartedAt: now)
        if let clause = policy.draft.calendar, let calendar = calendars[clause.id] {
            state.calendarSteps = calendar.contains(now) == clause.inside
        }
        state.dueAt = steps(policy, state).first.map { now.addingTimeInterval(Double($0.delaySeconds)) }
        return state
    }

    /// A round's length: `repeat_after_seconds`, or the last step's delay plus five minutes.
    static func roundLength(_ policy: EscalationPolicy, _ steps: [EscalationStep]) -> TimeInterval {
        Double(policy.draft.repeatAfterSeconds ?? ((steps.last?.delaySeconds ?? 0) + 300))
    }

    /// Fires every step due at `now` (all of them after a long pause, in order) and moves on.
    public static func advance(_ state: EscalationState, policy: EscalationPolicy, now: Date) -> (EscalationState, [EscalationFiring]) {
        var state = state
        var fired: [EscalationFiring] = []
        let steps = steps(policy, state)
        while let due = state.dueAt, due <= now, state.nextStep < steps.count, let start = state.roundStartedAt {
            fired.append(EscalationFiring(round: state.round, step: state.nextStep, targets: steps[state.nextStep].targets,
                                          runbook: steps[state.nextStep].runbook, at: due))
            state.nextStep += 1
            if state.nextStep < steps.count {
                state.dueAt = start.addingTimeInterval(Double(steps[state.nextStep].delaySeconds))
            } else if state.round < policy.draft.repeat {
                state.round += 1
                state.nextStep = 0
                let next = start.addingTimeInterval(roundLength(policy, steps))
                state.roundStartedAt = next
                state.dueAt = next.addingTimeInterval(Double(steps[0].delaySeconds))
            } else {
                state.dueAt = nil
            }
        }
        return (state, fired)
    }

    /// "Escalate now": the next step fires at once, and the later ones keep their spacing from it.
    public static func escalateNow(_ state: EscalationState, policy: EscalationPolicy, now: Date) throws -> (EscalationState, [EscalationFiring]) {
        let steps = steps(policy, state)
        guard state.dueAt != nil, state.nextStep < steps.count else { throw IncidentConflict("escalation has no further step") }
        var moved = state
        moved.roundStartedAt = now.addingTimeInterval(-Double(steps[state.nextStep].delaySeconds))
        moved.dueAt = now
        return advance(moved, policy: policy, now: now)
    }
}
