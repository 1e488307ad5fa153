import Foundation

public typealias AlertRuleID = Identifier<AlertRule>

/// A rule of an organization: when its conditions hold (any or all) for a signal that passes
/// its filters, at a time its calendar allows, it fires its actions, no more often than its
/// action interval per issue or monitor, grouped like Alertmanager.
public struct AlertRule: Sendable, Hashable {
    public var id: AlertRuleID
    public var organizationID: OrganizationID
    public var draft: AlertRuleDraft

    public init(id: AlertRuleID, organizationID: OrganizationID, draft: AlertRuleDraft) {
        self.id = id
        self.organizationID = organizationID
        self.draft = draft
    }
}

/// What a rule says, as the API and the database hold it.
public struct AlertRuleDraft: Sendable, Hashable, Codable {
    public enum Match: String, Sendable, Hashable, Codable { case any, all }

    /// "Only inside (or outside) the calendar", or with `severity`: "always, and at this
    /// severity inside (or outside) it".
    public struct CalendarClause: Sendable, Hashable, Codable {
        public var id: BusinessCalendarID
        public var inside: Bool
        public var severity: AlertSeverity?

        public init(id: BusinessCalendarID, inside: Bool = true, severity: AlertSeverity? = nil) {
            self.id = id
            self.inside = inside
            self.severity = severity
        }

        enum CodingKeys: String, CodingKey { case id, inside, severity }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            guard let id = try c.decodeID(forKey: .id, field: "calendar") else { throw ValidationError(field: "calendar", reason: "needs the id of a calendar") }
            self.id = BusinessCalendarID(id)
            inside = try c.decodeIfPresent(Bool.self, forKey: .inside) ?? true
            if let name = try c.decodeIfPresent(String.self, forKey: .severity) {
                guard let severity = AlertSeverity(rawValue: name) else {
                    throw ValidationError(field: "calendar", reason: "severity must be info, low, medium, high or critical")
                }
                self.severity = severity
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id.description, forKey: .id)
            try c.encode(inside, forKey: .inside)
            try c.encodeIfPresent(severity, forKey: .severity)
        }
    }

    /// What a firing does: notify channels and people (`notify`), or open an incident, or
    /// attach the alert to the open one of the same rule and subject (`open_incident`).
    public struct Action: Sendable, Hashable, Codable {
        /// `open_incident`'s settings.
        public struct IncidentSettings: Sendable, Hashable {
            public var severity: IncidentSeverity
            public var policyID: EscalationPolicyID?
            public var autoResolve: Bool
            public var quietPeriodSeconds: Int

            public init(severity: IncidentSeverity, policyID: EscalationPolicyID? = nil, autoResolve: Bool = false, quietPeriodSeconds: Int = 300) {
                self.severity = severity
                self.policyID = policyID
                self.autoResolve = autoResolve
                self.quietPeriodSeconds = quietPeriodSeconds
            }
        }

        public static let typeNames = ["notify", "open_incident", "run_runbook"]

        public var type: String
        public var channels: [ChannelID]
        public var users: [UserID]
        /// Every member holding one of these roles when the alert fires (`["owner"]`): the
        /// people follow the organization's membership without editing the rule.
        public var roles: [Role]
        public var incident: IncidentSettings?
        /// `run_runbook`: the runbook started for the alert (with the rule's open incident, if any).
        public var runbook: RunbookID?

        public init(channels: [ChannelID] = [], users: [UserID] = [], roles: [Role] = []) {
            type = "notify"
            self.channels = channels
            self.users = users
            self.roles = roles
        }

        public init(openIncident settings: IncidentSettings) {
            type = "open_incident"
            channels = []
            users = []
            roles = []
            incident = settings
        }

        enum CodingKeys: String, CodingKey {
            case type, channels, users, roles, severity, escalationPolicy = "escalation_policy", autoResolve = "auto_resolve", quietPeriodSeconds = "quiet_period_seconds",
                 runbook
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            type = try c.decodeIfPresent(String.self, forKey: .type) ?? "notify"
            guard Self.typeNames.contains(type) else {
                throw ValidationError(field: "actions", reason: "has an unknown type '\(type)'; known: \(Self.typeNames.joined(separator: ", "))")
            }
            func ids(_ key: CodingKeys) throws -> [Int64] {
                let numbers = try? c.decodeIfPresent([Int64].self, forKey: key)
                let texts = (try? c.decodeIfPresent([String].self, forKey: key)) ?? numbers?.map(String.init) ?? []
                return try texts.map { text in
                    guard let id = Int64(text) else { throw ValidationError(field: "actions", reason: "\(key.stringValue) are ids, got '\(text)'") }
                    return id
                }
            }
            channels = try ids(.channels).map(ChannelID.init)
            users = try ids(.users).map(UserID.init)
            roles = try (c.decodeIfPresent([String].self, forKey: .roles) ?? []).map { name in
                guard let role = Role(rawValue: name) else {
                    throw ValidationError(field: "actions", reason: "roles has an unknown role '\(name)'; known: \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return role
            }
            if type == "open_incident" {
                let name = try c.decodeIfPresent(String.self, forKey: .severity) ?? "high"
                guard let severity = IncidentSeverity(rawValue: name) else {
                    throw ValidationError(field: "actions", reason: "open_incident severity must be critical, high, medium or low")
                }
                let policy = try c.decodeID(forKey: .escalationPolicy, field: "actions").map(EscalationPolicyID.init)
                let quiet = try c.decodeIfPresent(Int.self, forKey: .quietPeriodSeconds) ?? 300
                guard (0...86_400).contains(quiet) else { throw ValidationError(field: "actions", reason: "quiet_period_seconds must be 0 to 86400") }
                incident = IncidentSettings(severity: severity, policyID: policy, autoResolve: try c.decodeIfPresent(Bool.self, forKey: .autoResolve) ?? false,
                                            quietPeriodSeconds: quiet)
            } else if type == "run_runbook" {
                guard let id = try c.decodeID(forKey: .runbook, field: "actions") else {
                    throw ValidationError(field: "actions", reason: "run_runbook needs the id of a runbook")
                }
                runbook = RunbookID(id)
            } else {
                guard !channels.isEmpty || !users.isEmpty || !roles.isEmpty else { throw ValidationError(field: "actions", reason: "notify needs channels, users or roles") }
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(type, forKey: .type)
            if let runbook {
                try c.encode(runbook.description, forKey: .runbook)
            } else if let incident {
                try c.encode(incident.severity.rawValue, forKey: .severity)
                try c.encodeIfPresent(incident.policyID?.description, forKey: .escalationPolicy)
                try c.encode(incident.autoResolve, forKey: .autoResolve)
                try c.encode(incident.quietPeriodSeconds, forKey: .quietPeriodSeconds)
            } else {
                try c.encode(channels.map(\.description), forKey: .channels)
                try c.encode(users.map(\.description), forKey: .users)
                try c.encode(roles.map(\.rawValue), forKey: .roles)
            }
        }
    }

    public var name: String
    public var enabled: Bool
    public var match: Match
    public var conditions: [AlertCondition]
    public var filters: [AlertFilter]
    public var calendar: CalendarClause?
    public var actions: [Action]
    /// The severity the rule reports when the calendar does not raise it; `nil`: the signal's.
    public var severity: AlertSeverity?
    /// At most one notification per issue or monitor within this interval.
    public var actionIntervalSeconds: Int
    /// Alertmanager's timers: wait for companions, then send additions, then repeat.
    public var groupWaitSeconds: Int
    public var groupIntervalSeconds: Int
    public var repeatIntervalSeconds: Int
    /// Also notify when the issue is resolved or the monitor recovers.
    public var sendResolved: Bool

    public init(name: String, enabled: Bool = true, match: Match = .any, conditions: [AlertCondition], filters: [AlertFilter] = [],
                calendar: CalendarClause? = nil, actions: [Action], severity: AlertSeverity? = nil, actionIntervalSeconds: Int = 300,
                groupWaitSeconds: Int = 0, groupIntervalSeconds: Int = 60, repeatIntervalSeconds: Int = 4 * 3_600, sendResolved: Bool = false) throws {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 200 else { throw ValidationError(field: "name", reason: "must be 1 to 200 characters") }
        guard !conditions.isEmpty else { throw ValidationError(field: "conditions", reason: "must have at least one condition") }
        guard !actions.isEmpty else { throw ValidationError(field: "actions", reason: "must have at least one action") }
        guard (0...7 * 86_400).contains(actionIntervalSeconds) else { throw ValidationError(field: "action_interval_seconds", reason: "must be 0 to 604800") }
        guard (0...3_600).contains(groupWaitSeconds) else { throw ValidationError(field: "group_wait_seconds", reason: "must be 0 to 3600") }
        guard (1...86_400).contains(groupIntervalSeconds) else { throw ValidationError(field: "group_interval_seconds", reason: "must be 1 to 86400") }
        guard (60...30 * 86_400).contains(repeatIntervalSeconds) else { throw ValidationError(field: "repeat_interval_seconds", reason: "must be 60 to 2592000") }
        self.name = trimmed
        self.enabled = enabled
        self.match = match
        self.conditions = conditions
        self.filters = filters
        self.calendar = calendar
        self.actions = actions
        self.severity = severity
        self.actionIntervalSeconds = actionIntervalSeconds
        self.groupWaitSeconds = groupWaitSeconds
        self.groupIntervalSeconds = groupIntervalSeconds
        self.repeatIntervalSeconds = repeatIntervalSeconds
        self.sendResolved = sendResolved
    }

    enum CodingKeys: String, CodingKey {
        case name, enabled, match, conditions, filters, calendar, actions, severity, actionIntervalSeconds = "action_interval_seconds",
             groupWaitSeconds = "group_wait_seconds", groupIntervalSeconds = "group_interval_seconds",
             repeatIntervalSeconds = "repeat_interval_seconds", sendResolved = "send_resolved"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard let match = Match(rawValue: try c.decodeIfPresent(String.self, forKey: .match) ?? "any") else {
            throw ValidationError(field: "match", reason: "must be any or all")
        }
        var severity: AlertSeverity?
        if let name = try c.decodeIfPresent(String.self, forKey: .severity) {
            guard let value = AlertSeverity(rawValue: name) else { throw ValidationError(field: "severity", reason: "must be info, low, medium, high or critical") }
            severity = value
        }
        try self.init(name: try c.decodeIfPresent(String.self, forKey: .name) ?? "", enabled: try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? true,
                      match: match, conditions: try c.decodeIfPresent([AlertCondition].self, forKey: .conditions) ?? [],
                      filters: try c.decodeIfPresent([AlertFilter].self, forKey: .filters) ?? [],
                      calendar: try c.decodeIfPresent(CalendarClause.self, forKey: .calendar),
                      actions: try c.decodeIfPresent([Action].self, forKey: .actions) ?? [], severity: severity,
                      actionIntervalSeconds: try c.decodeIfPresent(Int.self, forKey: .actionIntervalSeconds) ?? 300,
                      groupWaitSeconds: try c.decodeIfPresent(Int.self, forKey: .groupWaitSeconds) ?? 0,
                      groupIntervalSeconds: try c.decodeIfPresent(Int.self, forKey: .groupIntervalSeconds) ?? 60,
                      repeatIntervalSeconds: try c.decodeIfPresent(Int.self, forKey: .repeatIntervalSeconds) ?? 4 * 3_600,
                      sendResolved: try c.decodeIfPresent(Bool.self, forKey: .sendResolved) ?? false)
    }
}
