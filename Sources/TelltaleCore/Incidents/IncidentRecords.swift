public import Foundation

/// What an incident is linked to.
public struct IncidentLinks: Sendable, Hashable {
    public var issues: [Int64]
    public var monitors: [MonitorID]
    public var projects: [ProjectID]
    public var alerts: [AlertID]

    public init(issues: [Int64] = [], monitors: [MonitorID] = [], projects: [ProjectID] = [], alerts: [AlertID] = []) {
        self.issues = issues
        self.monitors = monitors
        self.projects = projects
        self.alerts = alerts
    }

    public var isEmpty: Bool { issues.isEmpty && monitors.isEmpty && projects.isEmpty && alerts.isEmpty }
}

/// One line of an incident's timeline.
public struct TimelineEntry: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case opened, attached, acknowledged, resolved, reopened, escalated, notified, note, update, linked, monitor, runbook, edited
    }

    public var at: Date
    public var kind: Kind
    public var actor: IncidentActor
    public var message: String
    /// A public update, shown on the status pages of the affected components.
    public var isPublic: Bool

    public init(at: Date, kind: Kind, actor: IncidentActor, message: String, isPublic: Bool = false) {
        self.at = at
        self.kind = kind
        self.actor = actor
        self.message = message
        self.isPublic = isPublic
    }
}

/// The post-mortem sections people write after an incident.
public struct Postmortem: Sendable, Hashable, Codable {
    public var summary: String
    public var rootCause: String
    public var actionItems: [String]

    public init(summary: String = "", rootCause: String = "", actionItems: [String] = []) {
        self.summary = summary
        self.rootCause = rootCause
        self.actionItems = actionItems
    }

    enum CodingKeys: String, CodingKey { case summary, rootCause = "root_cause", actionItems = "action_items" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        summary = String((try c.decodeIfPresent(String.self, forKey: .summary) ?? "").prefix(20_000))
        rootCause = String((try c.decodeIfPresent(String.self, forKey: .rootCause) ?? "").prefix(20_000))
        actionItems = (try c.decodeIfPresent([String].self, forKey: .actionItems) ?? []).prefix(100).map { String($0.prefix(1_000)) }
    }
}

/// Incidents, their links and timelines, escalation policies and on-call schedules.
public protocol IncidentRepository: Sendable {
    func createPolicy(organizationID: OrganizationID, _ draft: EscalationPolicyDraft, now: Date) async throws -> EscalationPolicy
    func updatePolicy(_ id: EscalationPolicyID, _ draft: EscalationPolicyDraft, now: Date) async throws -> EscalationPolicy?
    func policy(id: EscalationPolicyID) async throws -> EscalationPolicy?
    func policies(organizationID: OrganizationID) async throws -> [EscalationPolicy]
    func deletePolicy(_ id: EscalationPolicyID) async throws -> Bool

    func createSchedule(organizationID: OrganizationID, _ draft: OnCallScheduleDraft, now: Date) async throws -> OnCallSchedule
    func updateSchedule(_ id: OnCallScheduleID, _ draft: OnCallScheduleDraft, now: Date) async throws -> OnCallSchedule?
    func schedule(id: OnCallScheduleID) async throws -> OnCallSchedule?
    func schedules(organizationID: OrganizationID) async throws -> [OnCallSchedule]
    func deleteSchedule(_ id: OnCallScheduleID) async throws -> Bool

    /// Opens `incident` with its links and first timeline entry, or, when it has a dedup key
    /// and an open incident of the organization has the same key, attaches the links to that
    /// one. The incident stored and whether it is new.
    func open(_ incident: Incident, links: IncidentLinks, entry: TimelineEntry, notifications: [OutgoingNotification]) async throws -> (Incident, created: Bool)
    func incident(id: IncidentID) async throws -> Incident?
    /// The open incident with `dedupKey` (a rule and subject), if any.
    func openIncident(organizationID: OrganizationID, dedupKey: String) async throws -> Incident?
    /// Newest first; `statuses` empty means all.
    func incidents(organizationID: OrganizationID, statuses: [IncidentStatus], limit: Int) async throws -> [Incident]
    /// Stores a change made from `incident` as read (its revision), with timeline entries and
    /// notifications, in one transaction; `nil` when another change came first.
    func save(_ incident: Incident, entries: [TimelineEntry], notifications: [OutgoingNotification]) async throws -> Incident?
    func addLinks(_ id: IncidentID, _ links: IncidentLinks) async throws
    func links(_ id: IncidentID) async throws -> IncidentLinks
    func timeline(_ id: IncidentID) async throws -> [TimelineEntry]
    func postmortem(_ id: IncidentID) async throws -> Postmortem
    func savePostmortem(_ id: IncidentID, _ postmortem: Postmortem) async throws

    /// Open incidents of every organization by severity (the metrics gauge).
    func openCounts() async throws -> [IncidentSeverity: Int]
    /// Open incidents whose next escalation step is due.
    func dueEscalations(now: Date, limit: Int) async throws -> [Incident]
    /// Open incidents that resolve themselves, with whether every linked monitor is up and
    /// when a linked issue last had an event.
    func autoResolveCandidates(limit: Int) async throws -> [(Incident, monitorsUp: Bool, lastEventAt: Date?)]
    /// Alerts recorded after `position` (an alert id), oldest first: those of rules that open incidents.
    func alerts(after position: Int64, limit: Int) async throws -> [AlertRecord]
    func latestAlertID() async throws -> Int64
    /// Incidents of the organization opened since `since`, for figures.
    func incidents(organizationID: OrganizationID, openedSince since: Date) async throws -> [Incident]
    /// The newest incidents linked to an issue (`kind` "issue") or a monitor ("monitor").
    func incidents(linkedTo kind: String, id: Int64, limit: Int) async throws -> [Incident]

    func createRunbook(organizationID: OrganizationID, _ draft: RunbookDraft, now: Date) async throws -> Runbook
    func updateRunbook(_ id: RunbookID, _ draft: RunbookDraft, now: Date) async throws -> Runbook?
    func runbook(id: RunbookID) async throws -> Runbook?
    func runbooks(organizationID: OrganizationID) async throws -> [Runbook]
    func deleteRunbook(_ id: RunbookID) async throws -> Bool

    func queueRun(_ run: RunbookRun) async throws -> RunbookRun
    /// Whether a run waits, or a running one's lease is over (a read, before claiming writes).
    func hasRunsToClaim(now: Date) async throws -> Bool
    /// The oldest queued run, now running under a lease until `leaseUntil`; runs whose
    /// runner died (lease over) are failed first, since their steps may have had effects.
    func claimRun(now: Date, leaseUntil: Date) async throws -> RunbookRun?
    func saveRun(_ run: RunbookRun, leaseUntil: Date?) async throws
    func run(id: RunbookRunID) async throws -> RunbookRun?
    func runs(runbookID: RunbookID, limit: Int) async throws -> [RunbookRun]
    func runs(incidentID: IncidentID) async throws -> [RunbookRun]
    /// Finished runs per runbook of the organization: (succeeded, failed).
    func runCounts(organizationID: OrganizationID) async throws -> [RunbookID: (succeeded: Int, failed: Int)]
}
