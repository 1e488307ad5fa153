public import Foundation

public typealias IncidentID = Identifier<Incident>

public enum IncidentSeverity: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case low, medium, high, critical

    public static func < (lhs: Self, rhs: Self) -> Bool { allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)! }
}

public enum IncidentStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case triggered, acknowledged, resolved

    public var isOpen: Bool { self != .resolved }
}

/// Who or what changed an incident: a person, a runbook, the auto-resolution check, an alert rule.
public enum IncidentActor: Sendable, Hashable {
    case user(UserID)
    case runbook(String)
    case automatic
    case rule(AlertRuleID)
    /// Whoever pressed a one-click link of a notification.
    case link

    public var label: String {
        switch self {
        case .user(let id): "user:\(id)"
        case .runbook(let name): "runbook:\(name)"
        case .automatic: "automatic"
        case .rule(let id): "rule:\(id)"
        case .link: "link"
        }
    }

    public init?(label: String) {
        let parts = label.split(separator: ":", maxSplits: 1).map(String.init)
        switch (parts.first, parts.count) {
        case ("automatic", 1): self = .automatic
        case ("link", 1): self = .link
        case ("user", 2): guard let id = Int64(parts[1]) else { return nil }; self = .user(UserID(id))
        case ("rule", 2): guard let id = Int64(parts[1]) else { return nil }; self = .rule(AlertRuleID(id))
        case ("runbook", 2): self = .runbook(parts[1])
        default: return nil
        }
    }
}

/// An incident: something people (or runbooks) are working on, opened by a rule or by hand.
public struct Incident: Sendable, Hashable {
    public var id: IncidentID
    public var organizationID: OrganizationID
    public var title: String
    public var severity: IncidentSeverity
    public var status: IncidentStatus
    public var impact: String
    public var commanderID: UserID?
    public var policyID: EscalationPolicyID?
    public var autoResolve: Bool
    public var quietPeriodSeconds: Int
    /// Set when a rule opened it: later alerts of that rule for the same subject attach to it.
    public var dedupKey: String?
    public var openedBy: IncidentActor
    public var openedAt: Date
    public var acknowledgedAt: Date?
    public var acknowledgedBy: IncidentActor?
    public var resolvedAt: Date?
    public var resolvedBy: IncidentActor?
    public var escalation: EscalationState
    /// Bumped by every stored change: a change made from a stale copy is refused.
    public var revision: Int64

    public init(id: IncidentID, organizationID: OrganizationID, title: String, severity: IncidentSeverity, status: IncidentStatus = .triggered,
                impact: String = "", commanderID: UserID? = nil, policyID: EscalationPolicyID? = nil, autoResolve: Bool = false,
                quietPeriodSeconds: Int = 300, dedupKey: String? = nil, openedBy: IncidentActor, openedAt: Date,
                acknowledgedAt: Date? = nil, acknowledgedBy: IncidentActor? = nil, resolvedAt: Date? = nil, resolvedBy: IncidentActor? = nil,
                escalation: EscalationState = EscalationState(), revision: Int64 = 0) {
        self.id = id
        self.organizationID = organizationID
        self.title = title
        self.severity = severity
        self.status = status
        self.impact = impact
        self.commanderID = commanderID
        self.policyID = policyID
        self.autoResolve = autoResolve
        self.quietPeriodSeconds = quietPeriodSeconds
        self.dedupKey = dedupKey
        self.openedBy = openedBy
        self.openedAt = openedAt
        self.acknowledgedAt = acknowledgedAt
        self.acknowledgedBy = acknowledgedBy
        self.resolvedAt = resolvedAt
        self.resolvedBy = resolvedBy
        self.escalation = escalation
        self.revision = revision
    }
}

/// A change refused because of the incident's state (the API answers 409).
public struct IncidentConflict: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}

/// The status changes: triggered → acknowledged → resolved, and reopened from resolved.
/// Acknowledging or resolving stops escalation; reopening starts it again from the first step.
public enum IncidentLifecycle {
    public static func acknowledge(_ incident: Incident, by actor: IncidentActor, at now: Date) throws -> Incident {
        switch incident.status {
        case .resolved: throw IncidentConflict("the incident is resolved; reopen it first")
        case .acknowledged: throw IncidentConflict("the incident is already acknowledged")
        case .triggered: break
        }
        var next = incident
        next.status = .acknowledged
        next.acknowledgedAt = now
        next.acknowledgedBy = actor
        next.escalation.dueAt = nil
        return next
    }

    public static func resolve(_ incident: Incident, by actor: IncidentActor, at now: Date) throws -> Incident {
        guard incident.status != .resolved else { throw IncidentConflict("the incident is already resolved") }
        var next = incident
        next.status = .resolved
        next.resolvedAt = now
        next.resolvedBy = actor
        next.escalation.dueAt = nil
        return next
    }

    /// Back to triggered; the earlier acknowledgement and resolution stay in the timeline only.
    public static func reopen(_ incident: Incident, at now: Date, policy: EscalationPolicy?, calendars: [BusinessCalendarID: BusinessCalendar]) throws -> Incident {
        guard incident.status == .resolved else { throw IncidentConflict("only a resolved incident can be reopened") }
        var next = incident
        next.status = .triggered
        next.acknowledgedAt = nil
        next.acknowledgedBy = nil
        next.resolvedAt = nil
        next.resolvedBy = nil
        next.escalation = policy.map { Escalation.start($0, at: now, calendars: calendars) } ?? EscalationState()
        return next
    }

    /// Whether an auto-resolving incident may resolve itself now: every linked monitor is up
    /// and no linked issue had an event within the quiet period (counted from the opening at
    /// the earliest, so an incident is never resolved the moment it opens).
    public static func canAutoResolve(_ incident: Incident, monitorsUp: Bool, lastLinkedEventAt: Date?, now: Date) -> Bool {
        guard incident.autoResolve, incident.status.isOpen, monitorsUp else { return false }
        let last = max(lastLinkedEventAt ?? incident.openedAt, incident.openedAt)
        return now.timeIntervalSince(last) >= Double(incident.quietPeriodSeconds)
    }
}
