import Foundation

public typealias EscalationPolicyID = Identifier<EscalationPolicy>
public typealias OnCallScheduleID = Identifier<OnCallSchedule>

/// Who an escalation step notifies: a member (by their contact methods), a channel, or
/// whoever is on call in a schedule when the step fires.
public enum EscalationTarget: Sendable, Hashable {
    case user(UserID)
    case channel(ChannelID)
    case schedule(OnCallScheduleID)
}

extension EscalationTarget: Codable {
    enum CodingKeys: String, CodingKey { case type, id }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decodeIfPresent(String.self, forKey: .type) ?? ""
        guard let id = try c.decodeID(forKey: .id, field: "targets") else { throw ValidationError(field: "targets", reason: "each target needs an id") }
        switch type {
        case "user": self = .user(UserID(id))
        case "channel": self = .channel(ChannelID(id))
        case "schedule": self = .schedule(OnCallScheduleID(id))
        default: throw ValidationError(field: "targets", reason: "type must be user, channel or schedule")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .user(let id): try c.encode("user", forKey: .type); try c.encode(id.rawValue, forKey: .id)
        case .channel(let id): try c.encode("channel", forKey: .type); try c.encode(id.rawValue, forKey: .id)
        case .schedule(let id): try c.encode("schedule", forKey: .type); try c.encode(id.rawValue, forKey: .id)
        }
    }
}

/// One step: `delaySeconds` after the round began (the incident opened, or the previous round
/// ended), without acknowledgement, notify `targets`, and start `runbook` on the incident.
public struct EscalationStep: Sendable, Hashable, Codable {
    public var delaySeconds: Int
    public var targets: [EscalationTarget]
    public var runbook: RunbookID?

    public init(delaySeconds: Int, targets: [EscalationTarget], runbook: RunbookID? = nil) {
        self.delaySeconds = delaySeconds
        self.targets = targets
        self.runbook = runbook
    }

    enum CodingKeys: String, CodingKey { case delaySeconds = "delay_seconds", targets, runbook }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        delaySeconds = try c.decodeIfPresent(Int.self, forKey: .delaySeconds) ?? 0
        targets = try c.decodeIfPresent([EscalationTarget].self, forKey: .targets) ?? []
        runbook = try c.decodeID(forKey: .runbook, field: "steps.runbook").map(RunbookID.init)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(delaySeconds, forKey: .delaySeconds)
        try c.encode(targets, forKey: .targets)
        try c.encodeIfPresent(runbook?.description, forKey: .runbook)
    }
}

/// What a policy says, as the API and the database hold it: ordered steps, repeated `repeat`
/// more times, and optionally other steps for incidents opened inside (or outside) a business
/// calendar ("a Saturday in peak season escalates after 5 minutes instead of 30").
public struct EscalationPolicyDraft: Sendable, Hashable, Codable {
    public struct CalendarSteps: Sendable, Hashable, Codable {
        public var id: BusinessCalendarID
        public var inside: Bool
        public var steps: [EscalationStep]

        public init(id: BusinessCalendarID, inside: Bool = true, steps: [EscalationStep]) {
            self.id = id
            self.inside = inside
            self.steps = steps
        }

        enum CodingKeys: String, CodingKey { case id, inside, steps }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            guard let id = try c.decodeID(forKey: .id, field: "calendar") else { throw ValidationError(field: "calendar", reason: "needs the id of a calendar") }
            self.id = BusinessCalendarID(id)
            inside = try c.decodeIfPresent(Bool.self, forKey: .inside) ?? true
            steps = try c.decodeIfPresent([EscalationStep].self, forKey: .steps) ?? []
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id.description, forKey: .id)
            try c.encode(inside, forKey: .inside)
            try c.encode(steps, forKey: .steps)
        }
    }

    public var name: String
    public var steps: [EscalationStep]
    public var `repeat`: Int
    /// Time from a round's start to the next round's; by default the last step's delay plus five minutes.
    public var repeatAfterSeconds: Int?
    public var calendar: CalendarSteps?

    public init(name: String, steps: [EscalationStep], repeat: Int = 0, repeatAfterSeconds: Int? = nil, calendar: CalendarSteps? = nil) {
        self.name = name
        self.steps = steps
        self.repeat = `repeat`
        self.repeatAfterSeconds = repeatAfterSeconds
        self.calendar = calendar
    }

    enum CodingKeys: String, CodingKey { case name, steps, `repeat`, repeatAfterSeconds = "repeat_after_seconds", calendar }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = (try c.decodeIfPresent(String.self, forKey: .name) ?? "").trimmingCharacters(in: .whitespaces)
        steps = try c.decodeIfPresent([EscalationStep].self, forKey: .steps) ?? []
        self.repeat = try c.decodeIfPresent(Int.self, forKey: .repeat) ?? 0
        repeatAfterSeconds = try c.decodeIfPresent(Int.self, forKey: .repeatAfterSeconds)
        calendar = try c.decodeIfPresent(CalendarSteps.self, forKey: .calendar)
        try validate()
    }

    public func validate() throws {
        guard (1...200).contains(name.count) else { throw ValidationError(field: "name", reason: "must be 1 to 200 characters") }
        try Self.validate(steps, field: "steps")
        if let calendar { try Self.validate(calendar.steps, field: "calendar.steps") }
        guard (0...20).contains(self.repeat) else { throw ValidationError(field: "repeat", reason: "must be 0 to 20") }
        if let repeatAfterSeconds, repeatAfterSeconds < 1 || repeatAfterSeconds < (steps.last?.delaySeconds ?? 0) {
            throw ValidationError(field: "repeat_after_seconds", reason: "must be at least the last step's delay")
        }
    }

    static func validate(_ steps: [EscalationStep], field: String) throws {
        guard !steps.isEmpty, steps.count <= 20 else { throw ValidationError(field: field, reason: "must have 1 to 20 steps") }
        for (index, step) in steps.enumerated() {
            guard !step.targets.isEmpty || step.runbook != nil else {
                throw ValidationError(field: "\(field)[\(index)].targets", reason: "a step needs at least one target (or a runbook)")
            }
            guard (0...7 * 86_400).contains(step.delaySeconds) else {
                throw ValidationError(field: "\(field)[\(index)].delay_seconds", reason: "must be 0 to 604800")
            }
            if index > 0, step.delaySeconds < steps[index - 1].delaySeconds {
                throw ValidationError(field: "\(field)[\(index)].delay_seconds", reason: "must not be less than the step before it")
            }
        }
    }
}

public struct EscalationPolicy: Sendable, Hashable {
    public var id: EscalationPolicyID
    public var organizationID: OrganizationID
    public var draft: EscalationPolicyDraft

    public init(id: EscalationPolicyID, organizationID: OrganizationID, draft: EscalationPolicyDraft) {
        self.id = id
        self.organizationID = organizationID
        self.draft = draft
    }
}
