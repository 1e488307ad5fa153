public import Foundation

/// Something that happened and that alert rules look at: an event stored (with what it did to
/// its issue), a monitor changing state, an issue resolved, a detector finding a spike or a
/// pattern.
public enum AlertSignal: Sendable, Hashable {
    case event(EventSignal)
    case monitor(MonitorSignal)
    case issueResolved(IssueResolvedSignal)
    case detection(DetectionSignal)

    public var organizationID: OrganizationID {
        switch self {
        case .event(let signal): signal.organizationID
        case .monitor(let signal): signal.organizationID
        case .issueResolved(let signal): signal.organizationID
        case .detection(let signal): signal.organizationID
        }
    }

    public var at: Date {
        switch self {
        case .event(let signal): signal.at
        case .monitor(let signal): signal.at
        case .issueResolved(let signal): signal.at
        case .detection(let signal): signal.at
        }
    }
}

/// A detector's finding as alert rules see it: a spike opened (in a project's or an issue's
/// error rate), or a recurring pattern found for the first time.
public struct DetectionSignal: Sendable, Hashable {
    /// `threshold`: a performance threshold of one rule crossed; `detectionID` is the rule's id.
    /// `user_report`: a new user report; `detectionID` is the report's id, the severity its priority.
    public enum Kind: String, Sendable, Hashable, Codable { case spike, pattern, regression, threshold, userReport = "user_report" }

    public var organizationID: OrganizationID
    public var kind: Kind
    /// The spike's or the pattern's id.
    public var detectionID: Int64
    /// The project (a spike's; a pattern's first issue's).
    public var projectID: ProjectID?
    /// The spiking issue; nil for a project's spike and for a pattern.
    public var issueID: Int64?
    public var title: String
    public var detail: String
    /// The spiking issue's severity, when classified.
    public var issueSeverity: IssueSeverity?
    public var at: Date

    public init(organizationID: OrganizationID, kind: Kind, detectionID: Int64, projectID: ProjectID?, issueID: Int64?, title: String, detail: String,
                issueSeverity: IssueSeverity?, at: Date) {
        self.organizationID = organizationID
        self.kind = kind
        self.detectionID = detectionID
        self.projectID = projectID
        self.issueID = issueID
        self.title = title
        self.detail = detail
        self.issueSeverity = issueSeverity
        self.at = at
    }
}

/// An event as alert rules see it.
public struct EventSignal: Sendable, Hashable {
    public var organizationID: OrganizationID
    public var projectID: ProjectID
    public var projectSlug: String
    public var issueID: Int64
    public var issueTitle: String
    public var culprit: String
    public var level: EventLevel
    public var environment: String?
    public var release: String?
    public var tags: [String: String]
    /// The event's business category tag, when it has one.
    public var category: String?
    /// The event's business impact tag (`revenue_blocking`, …), when it has one.
    public var businessImpact: String?
    /// The event opened its issue.
    public var isNewIssue: Bool
    /// The event reopened a resolved issue.
    public var isRegression: Bool
    /// The issue's classified severity, when it has one.
    public var issueSeverity: IssueSeverity?
    public var at: Date

    public init(organizationID: OrganizationID, projectID: ProjectID, projectSlug: String, issueID: Int64, issueTitle: String, culprit: String,
                level: EventLevel, environment: String?, release: String?, tags: [String: String], isNewIssue: Bool, isRegression: Bool, at: Date,
                classification: Classification? = nil) {
        self.organizationID = organizationID
        self.projectID = projectID
        self.projectSlug = projectSlug
        self.issueID = issueID
        self.issueTitle = issueTitle
        self.culprit = culprit
        self.level = level
        self.environment = environment
        self.release = release
        self.tags = tags
        // The issue's classification when it has one; else what the event's tags say.
        self.category = classification?.category.rawValue ?? tags["category"]
        self.businessImpact = classification?.impact.rawValue ?? tags["business_impact"] ?? tags["impact"]
        self.issueSeverity = classification?.severity
        self.isNewIssue = isNewIssue
        self.isRegression = isRegression
        self.at = at
    }
}

/// A monitor's state change as alert rules see it.
public struct MonitorSignal: Sendable, Hashable {
    public var organizationID: OrganizationID
    public var projectID: ProjectID?
    public var monitorID: MonitorID
    public var monitorName: String
    public var component: String
    public var type: MonitorType
    public var from: MonitorStatus
    public var to: MonitorStatus
    public var cause: String
    /// The change happened inside a maintenance window: recorded, never sent.
    public var duringMaintenance: Bool
    public var at: Date

    public init(organizationID: OrganizationID, projectID: ProjectID?, monitorID: MonitorID, monitorName: String, component: String, type: MonitorType,
                from: MonitorStatus, to: MonitorStatus, cause: String, duringMaintenance: Bool, at: Date) {
        self.organizationID = organizationID
        self.projectID = projectID
        self.monitorID = monitorID
        self.monitorName = monitorName
        self.component = component
        self.type = type
        self.from = from
        self.to = to
        self.cause = cause
        self.duringMaintenance = duringMaintenance
        self.at = at
    }

    /// A push monitor's run was missed (no ping by its deadline) rather than reported failed.
    public var isMissedRun: Bool { cause.hasPrefix("no ") || cause.contains("missed") || cause.contains("did not") }
}

/// An issue marked resolved, for "send on resolved".
public struct IssueResolvedSignal: Sendable, Hashable {
    public var organizationID: OrganizationID
    public var projectID: ProjectID
    public var issueID: Int64
    public var issueTitle: String
    public var at: Date

    public init(organizationID: OrganizationID, projectID: ProjectID, issueID: Int64, issueTitle: String, at: Date) {
        self.organizationID = organizationID
        self.projectID = projectID
        self.issueID = issueID
        self.issueTitle = issueTitle
        self.at = at
    }
}

/// Counts a rule may ask about an event, read by the evaluator before the rules run.
public struct SignalFacts: Sendable, Hashable {
    /// Events of the event's issue within the last N seconds, by N.
    public var issueEvents: [Int: Int]
    /// Distinct users of the issue within the last N seconds, by N.
    public var issueUsers: [Int: Int]
    /// Events of the event's project within the last minute.
    public var projectEventsLastMinute: Int

    public init(issueEvents: [Int: Int] = [:], issueUsers: [Int: Int] = [:], projectEventsLastMinute: Int = 0) {
        self.issueEvents = issueEvents
        self.issueUsers = issueUsers
        self.projectEventsLastMinute = projectEventsLastMinute
    }
}

/// The plain facts of a signal that conditions test, taken out once per signal: every rule
/// meets every event, and reading them from the enum's payload retained its strings per check.
public struct SignalTraits: Sendable, Hashable {
    public enum Kind: Sendable, Hashable { case event, monitor, issueResolved, detection }
    public var kind: Kind
    public var organizationID: OrganizationID
    public var level: EventLevel = .debug
    public var isNewIssue = false
    public var isRegression = false
    public var monitorType: MonitorType = .http
    public var from: MonitorStatus = .pending
    public var to: MonitorStatus = .pending
    public var isMissedRun = false
    public var issueSeverity: IssueSeverity?
    public var detectionKind: DetectionSignal.Kind = .spike
    /// A detected spike's issue, nil for a project's.
    public var detectionIssue: Int64?
    public var detectionID: Int64 = 0

    public init(_ signal: AlertSignal) {
        organizationID = signal.organizationID
        switch signal {
        case .event(let event):
            kind = .event
            level = event.level
            isNewIssue = event.isNewIssue
            isRegression = event.isRegression
            issueSeverity = event.issueSeverity
        case .monitor(let change):
            kind = .monitor
            monitorType = change.type
            from = change.from
            to = change.to
            isMissedRun = change.isMissedRun
        case .issueResolved:
            kind = .issueResolved
        case .detection(let detection):
            kind = .detection
            detectionKind = detection.kind
            detectionIssue = detection.issueID
            detectionID = detection.detectionID
            issueSeverity = detection.issueSeverity
        }
    }
}
