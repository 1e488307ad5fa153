/// Every repository, as one value the composition root builds once and passes down.
public struct Repositories: Sendable {
    /// Organizations and memberships.
    public var organizations: any OrganizationRepository
    /// Users.
    public var users: any UserRepository
    /// Projects and client keys.
    public var projects: any ProjectRepository
    /// API tokens.
    public var tokens: any APITokenRepository
    /// Stored events and issues.
    public var events: any EventReadRepository
    /// Issues: search, triage, merges.
    public var issues: any IssueRepository
    /// Counts over time.
    public var stats: any StatsRepository
    /// Deleting what retention no longer keeps.
    public var retention: any RetentionRepository
    /// Signed-in dashboard sessions.
    public var sessions: any SessionRepository
    /// Invitations to organizations.
    public var invitations: any InvitationRepository
    /// Failed sign-ins, for the sign-in throttle.
    public var loginFailures: any LoginFailureRepository
    /// Monitors, results, downtimes and pings.
    public var monitors: any MonitorRepository
    /// Status pages, notices and maintenance windows.
    public var statusPages: any StatusPageRepository
    /// Alert rules, channels, calendars, silences, history and the notification queue.
    public var alerts: any AlertRepository
    /// What alert rules read: events and monitor changes by position.
    public var alertSignals: any AlertSignalSource
    /// Incidents, escalation policies and on-call schedules.
    public var incidents: any IncidentRepository
    /// Classification rules and overrides.
    public var classification: any ClassificationRepository
    /// Detector counts, spikes, patterns, correlation evidence and analyses.
    public var analysis: any AnalysisRepository
    /// Which node runs each single-node background job.
    public var leases: any JobLeaseRepository
    /// Transaction, span and web-vital statistics, samples and release health.
    public var performance: any PerformanceRepository
    /// Workflows, business settings and revenue at risk.
    public var business: any BusinessRepository
    /// User reports and their triage.
    public var userReports: any UserReportRepository
    /// Forwarders and their queued batches.
    public var forwarders: any ForwarderRepository
    /// The audit log of administrative actions.
    public var audit: any AuditRepository

    /// Groups the repositories.
    public init(
        organizations: any OrganizationRepository,
        users: any UserRepository,
        projects: any ProjectRepository,
        tokens: any APITokenRepository,
        events: any EventReadRepository,
        issues: any IssueRepository,
        stats: any StatsRepository,
        retention: any RetentionRepository,
        sessions: any SessionRepository,
        invitations: any InvitationRepository,
        loginFailures: any LoginFailureRepository,
        monitors: any MonitorRepository,
        statusPages: any StatusPageRepository,
        alerts: any AlertRepository,
        alertSignals: any AlertSignalSource,
        incidents: any IncidentRepository,
        classification: any ClassificationRepository,
        analysis: any AnalysisRepository,
        leases: any JobLeaseRepository,
        performance: any PerformanceRepository,
        business: any BusinessRepository,
        userReports: any UserReportRepository,
        forwarders: any ForwarderRepository,
        audit: any AuditRepository
    ) {
        self.organizations = organizations
        self.users = users
        self.projects = projects
        self.tokens = tokens
        self.events = events
        self.issues = issues
        self.stats = stats
        self.retention = retention
        self.sessions = sessions
        self.invitations = invitations
        self.loginFailures = loginFailures
        self.monitors = monitors
        self.statusPages = statusPages
        self.alerts = alerts
        self.alertSignals = alertSignals
        self.incidents = incidents
        self.classification = classification
        self.analysis = analysis
        self.leases = leases
        self.performance = performance
        self.business = business
        self.userReports = userReports
        self.forwarders = forwarders
        self.audit = audit
    }
}
