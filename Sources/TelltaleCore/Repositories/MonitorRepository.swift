public import Foundation

/// Monitors, their scheduling leases, results, state changes, downtimes and pings.
public protocol MonitorRepository: Sendable {
    func create(organizationID: OrganizationID, _ draft: MonitorDraft, pingToken: String?, now: Date) async throws -> Monitor
    /// Replaces what a draft holds; state and history stay. `nil` when it does not exist.
    func update(_ id: MonitorID, _ draft: MonitorDraft, now: Date) async throws -> Monitor?
    func delete(_ id: MonitorID) async throws -> Bool
    func monitor(id: MonitorID) async throws -> Monitor?
    func monitor(pingToken: String) async throws -> Monitor?
    func monitor(projectID: ProjectID, slug: String) async throws -> Monitor?
    func monitors(organizationID: OrganizationID) async throws -> [Monitor]
    func monitors(ids: [MonitorID]) async throws -> [Monitor]
    /// One page of an organization's monitors, by component and name, filtered by state and
    /// by text in the name or component; with the number matching.
    func page(organizationID: OrganizationID, status: MonitorStatus?, text: String?, offset: Int, limit: Int) async throws -> (monitors: [Monitor], total: Int)
    /// How many monitors of the organization are in each state.
    func statusCounts(organizationID: OrganizationID) async throws -> [MonitorStatus: Int]

    /// Pauses or resumes, recording the transition.
    func setPaused(_ id: MonitorID, _ paused: Bool, now: Date) async throws -> Monitor?

    /// Leases up to `limit` monitors due at `now` (next check time passed, no live lease) to
    /// `owner`, each for its own timeout plus `leaseSlack` seconds: long enough for its check
    /// and the write of its result, short enough that a node dying mid-check delays that
    /// monitor by little more than one timeout. On PostgreSQL concurrent callers get disjoint sets.
    func claimDue(now: Date, limit: Int, owner: String, leaseSlack: TimeInterval) async throws -> [DueMonitor]
    /// The earliest next check time of any monitor, for the scheduler's sleep.
    func nextDueAt() async throws -> Date?

    /// Stores results in one transaction: each runs through its monitor's state machine
    /// (reading the state under a row lock), releases the lease and sets the next check time.
    /// Returns the state changes made.
    func record(_ results: [CheckResult], inMaintenance: Set<MonitorID>) async throws -> [MonitorEvent]

    /// A push monitor's deadline passed: records the missed (or overrun) run, unless a ping
    /// arrived since the claim. Releases the lease.
    func recordOverdue(_ monitorID: MonitorID, now: Date, inMaintenance: Bool) async throws -> [MonitorEvent]

    /// Stores a ping and applies it, atomically with the monitor's state.
    func recordPing(monitorID: MonitorID, kind: PingKind, runID: String?, body: String?, at: Date, inMaintenance: Bool)
        async throws -> (Ping, [MonitorEvent])

    /// Stores many pings in one transaction (the ping writer's batch); each succeeds or fails alone.
    func recordPings(_ requests: [PingRequest]) async throws -> [Result<(Ping, [MonitorEvent]), any Error>]

    func results(monitorID: MonitorID, limit: Int) async throws -> [MonitorResult]
    /// Response times (ms) of passing results since `since`, newest first, at most `limit`.
    func responseTimes(monitorIDs: [MonitorID], since: Date, limit: Int) async throws -> [MonitorID: [(Date, Double)]]
    func downtimes(monitorIDs: [MonitorID], overlapping range: TimeRange) async throws -> [Downtime]
    func downtimes(monitorID: MonitorID, limit: Int) async throws -> [Downtime]
    func events(monitorID: MonitorID, limit: Int) async throws -> [MonitorEvent]
    /// State changes in an organization after the event with id `after`, oldest first (live updates).
    func events(organizationID: OrganizationID, after: Int64, limit: Int) async throws -> [MonitorEvent]
    /// The id of the organization's latest state change (0 when none).
    func lastEventID(organizationID: OrganizationID) async throws -> Int64
    /// When each monitor was paused, within `range` (an open pause ends at `range.end`).
    func pausedPeriods(monitorIDs: [MonitorID], overlapping range: TimeRange) async throws -> [MonitorID: [TimeRange]]
    /// Hourly figures (checks, failures, mean and percentile response times) since `since`.
    func hourly(monitorIDs: [MonitorID], since: Date) async throws -> [MonitorID: [HourlyFigures]]
    /// Computes the percentiles of finished hours from raw results, before those are purged.
    func rollUpHours(before: Date) async throws -> Int
    func pings(monitorID: MonitorID, limit: Int) async throws -> [Ping]
    /// The error event a failing cron monitor reported into its project (its issue is resolved on recovery).
    func setFailureEvent(_ id: MonitorID, eventID: String?) async throws
    func failureEvent(_ id: MonitorID) async throws -> String?
    /// Deletes raw results and pings older than `before`, and hourly figures older than `hourlyBefore`.
    func purgeResults(before: Date, hourlyBefore: Date) async throws -> Int
}

/// One hour of a monitor's results, kept long after the raw results are gone.
public struct HourlyFigures: Sendable, Hashable {
    public var hour: Date
    public var checks: Int
    public var failures: Int
    public var meanMilliseconds: Double?
    public var maxMilliseconds: Double?
    public var p50: Double?
    public var p95: Double?
    public var p99: Double?

    public init(hour: Date, checks: Int, failures: Int, meanMilliseconds: Double?, maxMilliseconds: Double?, p50: Double?, p95: Double?, p99: Double?) {
        self.hour = hour
        self.checks = checks
        self.failures = failures
        self.meanMilliseconds = meanMilliseconds
        self.maxMilliseconds = maxMilliseconds
        self.p50 = p50
        self.p95 = p95
        self.p99 = p99
    }
}

/// A ping to store.
public struct PingRequest: Sendable {
    public var monitorID: MonitorID
    public var kind: PingKind
    public var runID: String?
    public var body: String?
    public var at: Date
    public var inMaintenance: Bool

    public init(monitorID: MonitorID, kind: PingKind, runID: String?, body: String?, at: Date, inMaintenance: Bool) {
        self.monitorID = monitorID
        self.kind = kind
        self.runID = runID
        self.body = body
        self.at = at
        self.inMaintenance = inMaintenance
    }
}

/// A monitor leased for one check, with when it was due.
public struct DueMonitor: Sendable, Hashable {
    public var monitor: Monitor
    public var dueAt: Date
    /// For push monitors: where their runs stand.
    public var progress: HeartbeatProgress

    public init(monitor: Monitor, dueAt: Date, progress: HeartbeatProgress) {
        self.monitor = monitor
        self.dueAt = dueAt
        self.progress = progress
    }
}

/// Status pages, their notices, and maintenance windows.
public protocol StatusPageRepository: Sendable {
    func create(organizationID: OrganizationID, slug: Slug, title: String, description: String, monitorIDs: [MonitorID], now: Date) async throws -> StatusPage
    func update(_ id: StatusPageID, slug: Slug, title: String, description: String, monitorIDs: [MonitorID]) async throws -> StatusPage?
    func delete(_ id: StatusPageID) async throws -> Bool
    func page(id: StatusPageID) async throws -> StatusPage?
    func page(slug: Slug) async throws -> StatusPage?
    func pages(organizationID: OrganizationID) async throws -> [StatusPage]

    func postNotice(pageID: StatusPageID, title: String, body: String, severity: StatusNotice.Severity, now: Date) async throws -> StatusNotice
    func deleteNotice(_ id: StatusNoticeID, pageID: StatusPageID) async throws -> Bool
    func notices(pageID: StatusPageID, limit: Int) async throws -> [StatusNotice]

    func createWindow(organizationID: OrganizationID, title: String, schedule: MaintenanceSchedule, monitorIDs: [MonitorID], statusPageID: StatusPageID?) async throws -> MaintenanceWindow
    func updateWindow(_ id: MaintenanceWindowID, title: String, schedule: MaintenanceSchedule, monitorIDs: [MonitorID], statusPageID: StatusPageID?) async throws -> MaintenanceWindow?
    func deleteWindow(_ id: MaintenanceWindowID) async throws -> Bool
    func window(id: MaintenanceWindowID) async throws -> MaintenanceWindow?
    func windows(organizationID: OrganizationID) async throws -> [MaintenanceWindow]
    /// Every window of the installation, for the scheduler's maintenance calendar.
    func allWindows() async throws -> [MaintenanceWindow]
}
