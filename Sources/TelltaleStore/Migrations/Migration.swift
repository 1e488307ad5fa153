/// One versioned step of the schema, written once for both dialects.
struct Migration: Sendable {
    /// Strictly increasing; recorded in `schema_migrations`.
    let version: Int
    /// What the step does, for logs and `telltale migrate`.
    let name: String
    /// The statements, run in one transaction.
    let statements: @Sendable (SQLFlavor) -> [String]
}

/// Every migration this binary knows, in order. Append only: never edit a released step.
/// Each step must leave the schema usable by the binary before it (rolling upgrades run both
/// for a while): add tables, indexes, and columns that are nullable or have defaults; drop or
/// rename only what the previous binary no longer reads, a release later.
enum Migrations {
    static let all: [Migration] = [
        Migration(version: 1, name: "accounts", statements: AccountsSchema.statements),
        Migration(version: 2, name: "ingest", statements: IngestSchema.statements),
        Migration(version: 3, name: "issue workflow", statements: IssueWorkflowSchema.statements),
        Migration(version: 4, name: "web sessions", statements: WebSessionsSchema.statements),
        Migration(version: 5, name: "event counts", statements: EventCountsSchema.statements),
        Migration(version: 6, name: "invitations and sign-in failures", statements: AccessSchema.statements),
        Migration(version: 7, name: "monitors and status pages", statements: MonitorsSchema.statements),
        Migration(version: 8, name: "health grid indexes", statements: MonitorGridSchema.statements),
        Migration(version: 9, name: "alerting", statements: AlertingSchema.statements),
        Migration(version: 10, name: "in-app notifications and alert groups", statements: InboxSchema.statements),
        Migration(version: 11, name: "incidents", statements: IncidentsSchema.statements),
        Migration(version: 12, name: "personal contact methods", statements: IncidentsSchema.contactMethods),
        Migration(version: 13, name: "issue classification", statements: AnalysisSchema.statements),
        Migration(version: 14, name: "issue counts, spikes, patterns and analyses", statements: DetectorsSchema.statements),
        Migration(version: 15, name: "performance statistics", statements: PerformanceSchema.statements),
        Migration(version: 16, name: "business workflows and revenue", statements: BusinessSchema.statements),
        Migration(version: 17, name: "business events", statements: BusinessSchema.events),
        Migration(version: 18, name: "business funnels", statements: BusinessSchema.funnels),
        Migration(version: 19, name: "user report triage", statements: UserReportSchema.statements),
        Migration(version: 20, name: "business event failures", statements: BusinessSchema.eventFailures),
        Migration(version: 21, name: "event forwarders", statements: ForwardingSchema.statements),
        Migration(version: 22, name: "live change notifications", statements: LiveTriggers.migration),
        Migration(version: EventWeeksSchema.version, name: "events stored by week", statements: EventWeeksSchema.statements),
        Migration(version: AuditSchema.version, name: "audit log", statements: AuditSchema.statements),
    ]

    /// The schema version this binary expects.
    static var latestVersion: Int { all.last?.version ?? 0 }
}
