public import Foundation

/// An issue's facts for business insight: where it happened, the tags workflows match on, and
/// its events and revenue per day.
public struct IssueBusinessFacts: Sendable, Hashable {
    public var issueID: Int64
    public var projectID: ProjectID
    public var title: String
    public var culprit: String
    public var severity: IssueSeverity?
    public var impact: BusinessImpact?
    /// Only the keys asked for.
    public var tags: [String: Set<String>]
    /// Per UTC day (its start, ms since 1970).
    public var days: [Int64: Day]

    public struct Day: Sendable, Hashable {
        public var events: Int64 = 0
        /// Events that sent their own `revenue_impact`, and its sum.
        public var eventsWithRevenue: Int64 = 0
        public var revenue: Double = 0

        /// What the day's events put at risk, valued at `valuePerFailure` where they sent nothing.
        public func atRisk(valuePerFailure: Double) -> Double {
            WorkflowScore.revenue(events: events, eventsWithRevenue: eventsWithRevenue, revenueSent: revenue, valuePerFailure: valuePerFailure)
        }

        public init(events: Int64 = 0, eventsWithRevenue: Int64 = 0, revenue: Double = 0) {
            self.events = events
            self.eventsWithRevenue = eventsWithRevenue
            self.revenue = revenue
        }
    }

    public init(issueID: Int64, projectID: ProjectID, title: String, culprit: String, severity: IssueSeverity? = nil, impact: BusinessImpact? = nil,
                tags: [String: Set<String>], days: [Int64: Day]) {
        self.severity = severity
        self.impact = impact
        self.issueID = issueID
        self.projectID = projectID
        self.title = title
        self.culprit = culprit
        self.tags = tags
        self.days = days
    }
}

/// Workflows, business settings, and the per-issue figures business insight reads.
public protocol BusinessRepository: Sendable {
    /// An organization's workflows, by name.
    func workflows(organizationID: OrganizationID) async throws -> [Workflow]
    func workflow(id: WorkflowID) async throws -> Workflow?
    /// Adds one; throws `ValidationError` when the weights would pass 100 % or the name is taken.
    func createWorkflow(organizationID: OrganizationID, _ draft: WorkflowDraft, now: Date) async throws -> Workflow
    /// Changes one under the same rules; nil when it does not exist.
    func updateWorkflow(_ id: WorkflowID, _ draft: WorkflowDraft, now: Date) async throws -> Workflow?
    func deleteWorkflow(_ id: WorkflowID) async throws -> Bool
    /// Replaces the whole set, which must weigh 100 %.
    func replaceWorkflows(organizationID: OrganizationID, _ drafts: [WorkflowDraft], now: Date) async throws -> [Workflow]

    func settings(organizationID: OrganizationID) async throws -> BusinessSettings
    func saveSettings(_ settings: BusinessSettings, organizationID: OrganizationID) async throws

    /// The issues of `projects` with events in `[from, to)` (ms), with the `tagKeys` tags.
    func issueFacts(projects: [ProjectID], from: Int64, to: Int64, tagKeys: Set<String>) async throws -> [IssueBusinessFacts]
    /// One issue's facts over its whole life.
    func issueFacts(issueID: Int64, tagKeys: Set<String>) async throws -> IssueBusinessFacts?

    /// Issues of `projects` resolved in `[from, to)` (ms): severity and minutes from first seen.
    func resolveTimes(projects: [ProjectID], from: Int64, to: Int64) async throws -> [(severity: IssueSeverity?, minutes: Double)]

    /// Stores business events and counts them into the daily and weekly figures; events whose
    /// id the project already has are skipped. Returns how many were new.
    /// Users move through `funnels` (the organization's) in the same transaction.
    func recordEvents(projectID: ProjectID, _ events: [BusinessEvent], funnels: [Funnel], receivedAt: Date) async throws -> Int
    /// The daily figures of `projects` for the days in `[from, to)` (ms), per event name and `*`.
    func eventDays(projects: [ProjectID], from: Int64, to: Int64) async throws -> [BusinessEventDay]
    /// The churn signal between two weeks (their Mondays, ms), counted in the database as
    /// `ChurnSignal.compute` defines it: a user of `previous` whose events in `latest` fell
    /// below `1 − dropPercent/100` of theirs.
    func churn(projects: [ProjectID], previous: Int64, latest: Int64, dropPercent: Double) async throws -> ChurnSignal

    func funnels(organizationID: OrganizationID) async throws -> [Funnel]
    func funnel(id: FunnelID) async throws -> Funnel?
    /// Throws a conflict when the name is taken.
    func createFunnel(organizationID: OrganizationID, _ draft: FunnelDraft, now: Date) async throws -> Funnel
    /// Nil when it does not exist; a changed definition (beyond its name) starts its figures afresh.
    func updateFunnel(_ id: FunnelID, _ draft: FunnelDraft, now: Date) async throws -> Funnel?
    func deleteFunnel(_ id: FunnelID) async throws -> Bool
    /// A funnel's attempts that started in `[from, to)` (ms), per UTC day, value of `segment`
    /// (nil: everyone, value '') and step.
    func funnelSteps(_ id: FunnelID, segment: String?, from: Int64, to: Int64) async throws -> [FunnelStepCount]

    /// Records a revenue-at-risk threshold of rule `ruleID` crossed, for that rule.
    func recordRevenueCrossed(organizationID: OrganizationID, ruleID: AlertRuleID, title: String, detail: String, at: Date) async throws
}

/// One day of one event name (`*`: any event) in a project.
public struct BusinessEventDay: Sendable {
    public var day: Int64
    public var name: String
    public var count: Int64
    /// Events reporting a failed operation (`BusinessEvent.failed`).
    public var failures: Int64
    public var value: Double
    public var users: UserSketch

    public init(day: Int64, name: String, count: Int64, failures: Int64 = 0, value: Double, users: UserSketch) {
        self.day = day
        self.name = name
        self.count = count
        self.failures = failures
        self.value = value
        self.users = users
    }
}

/// Attempts of a funnel that reached a step, for one segment value, and their times from the
/// step before (seconds).
public struct FunnelStepCount: Sendable {
    public var value: String
    public var step: Int
    public var users: Int64
    public var times: DDSketch

    public init(value: String, step: Int, users: Int64, times: DDSketch) {
        self.value = value
        self.step = step
        self.users = users
        self.times = times
    }
}
