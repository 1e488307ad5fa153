public import Foundation
public import TelltaleCore

/// What the API, the dashboard, the ping endpoints and the status pages ask of monitors.
public struct MonitorService: Sendable {
    public let monitors: any MonitorRepository
    public let statusPages: any StatusPageRepository
    public let recorder: MonitorRecorder
    public let maintenance: MaintenanceCache
    let checker: MonitorChecker
    public let now: @Sendable () -> Date
    let pings: PingWriter?
    let pingTokens: PingTokens

    /// `pings` batches heartbeat writes; without it each ping is its own transaction.
    public init(monitors: any MonitorRepository, statusPages: any StatusPageRepository, recorder: MonitorRecorder,
                maintenance: MaintenanceCache, checker: MonitorChecker, pings: PingWriter? = nil, now: @escaping @Sendable () -> Date = Date.init) {
        self.pings = pings
        self.pingTokens = PingTokens(monitors: monitors)
        self.monitors = monitors
        self.statusPages = statusPages
        self.recorder = recorder
        self.maintenance = maintenance
        self.checker = checker
        self.now = now
    }

    /// Creates a monitor; push monitors get a random ping token.
    public func create(in organizationID: OrganizationID, _ draft: MonitorDraft) async throws -> Monitor {
        let token = draft.target.type.isActive ? nil : SecretGenerator.hex(byteCount: 16)
        return try await monitors.create(organizationID: organizationID, draft, pingToken: token, now: now())
    }

    /// Runs the given monitors' checks now, records and returns the results.
    public func runNow(_ targets: [Monitor]) async throws -> [(Monitor, CheckResult)] {
        let checker = checker
        let now = now
        let results = await withTaskGroup(of: (Monitor, CheckResult)?.self) { group in
            for monitor in targets where monitor.type.isActive {
                group.addTask {
                    let due = DueMonitor(monitor: monitor, dueAt: now(), progress: HeartbeatProgress(lastSuccessAt: nil, runStartedAt: nil, runID: nil))
                    var result = await MonitorScheduler.runCheck(due, checker: checker, now: now)
                    result.scheduledAt = nil
                    return (monitor, result)
                }
            }
            var collected: [(Monitor, CheckResult)] = []
            for await item in group { if let item { collected.append(item) } }
            return collected
        }
        try await recorder.record(results.map { ($0.1, $0.0) })
        let order = Dictionary(uniqueKeysWithValues: targets.enumerated().map { ($1.id, $0) })
        return results.sorted { (order[$0.0.id] ?? 0) < (order[$1.0.id] ?? 0) }
    }

    /// Records a heartbeat ping to the monitor whose ping URL has `token`; `nil` when none has.
    public func ping(token: String, kind: PingKind, runID: String?, body: String?) async throws -> Ping? {
        guard let monitorID = try await pingTokens.monitorID(token: token, now: now()) else { return nil }
        do {
            return try await ping(monitorID, kind: kind, runID: runID, body: body)
        } catch DomainError.notFound {
            // Deleted since its token was looked up.
            pingTokens.forget(token)
            return nil
        }
    }

    /// Records a heartbeat ping.
    public func ping(_ monitorID: MonitorID, kind: PingKind, runID: String?, body: String?) async throws -> Ping {
        let at = now()
        let inMaintenance = await maintenance.current(now: at).isInMaintenance(monitorID, at: at)
        let request = PingRequest(monitorID: monitorID, kind: kind, runID: runID, body: body, at: at, inMaintenance: inMaintenance)
        let (ping, events): (Ping, [MonitorEvent])
        if let pings { (ping, events) = try await pings.record(request) } else { (ping, events) = try await monitors.recordPings([request])[0].get() }
        recorder.announce(events)
        return ping
    }

    /// Uptime of one monitor over `window`, exact from its downtime periods, with maintenance,
    /// paused time and time before it existed left out.
    public func uptime(_ monitor: Monitor, window: TimeRange) async throws -> UptimeReport {
        try await uptime([monitor], window: window)[monitor.id] ?? UptimeReport.compute(window: window, downtimes: [], notMonitored: [window])
    }

    /// Uptime of several monitors at once (one query each for downtimes and pauses).
    public func uptime(_ targets: [Monitor], window: TimeRange) async throws -> [MonitorID: UptimeReport] {
        try await uptime(targets, windows: [window]).mapValues { $0[0] }
    }

    /// Uptime of several monitors over several windows, each report in the windows' order;
    /// one query each for downtimes and pauses over all the windows together.
    public func uptime(_ targets: [Monitor], windows: [TimeRange]) async throws -> [MonitorID: [UptimeReport]] {
        guard let start = windows.map(\.start).min(), let end = windows.map(\.end).max() else { return [:] }
        let at = now()
        let ids = targets.map(\.id)
        let span = TimeRange(start: start, end: end)
        let downtimes = Dictionary(grouping: try await monitors.downtimes(monitorIDs: ids, overlapping: span), by: \.monitorID)
        let paused = try await monitors.pausedPeriods(monitorIDs: ids, overlapping: span)
        let calendar = await maintenance.current(now: at)
        var reports: [MonitorID: [UptimeReport]] = [:]
        for monitor in targets {
            let periods = (downtimes[monitor.id] ?? []).map { $0.range(now: at) }
            let notMonitored = notMonitored(monitor, window: span, calendar: calendar, paused: paused[monitor.id] ?? [])
            reports[monitor.id] = windows.map { UptimeReport.compute(window: $0, downtimes: periods, notMonitored: notMonitored) }
        }
        return reports
    }

    /// Daily uptime for the status page's bars.
    public func dailyUptime(_ targets: [Monitor], days: Int, timeZone: TimeZone = TimeZone(identifier: "UTC")!) async throws -> [MonitorID: [UptimeReport]] {
        let at = now()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let start = calendar.date(byAdding: .day, value: -(days - 1), to: calendar.startOfDay(for: at)) ?? at
        let window = TimeRange(start: start, end: at)
        let ids = targets.map(\.id)
        let downtimes = Dictionary(grouping: try await monitors.downtimes(monitorIDs: ids, overlapping: window), by: \.monitorID)
        let paused = try await monitors.pausedPeriods(monitorIDs: ids, overlapping: window)
        let maintenanceCalendar = await maintenance.current(now: at)
        var reports: [MonitorID: [UptimeReport]] = [:]
        for monitor in targets {
            let periods = (downtimes[monitor.id] ?? []).map { $0.range(now: at) }
            reports[monitor.id] = UptimeReport.daily(days: days, now: at, timeZone: timeZone, lifetimeStart: monitor.createdAt, downtimes: periods,
                                                     notMonitored: notMonitored(monitor, window: window, calendar: maintenanceCalendar, paused: paused[monitor.id] ?? []))
        }
        return reports
    }

    /// Time that counts neither as up nor as down: before creation, maintenance, paused.
    func notMonitored(_ monitor: Monitor, window: TimeRange, calendar: MaintenanceCalendar, paused: [TimeRange]) -> [TimeRange] {
        var ranges = calendar.periods(monitor.id, overlapping: window) + paused
        if monitor.createdAt > window.start { ranges.append(TimeRange(start: window.start, end: monitor.createdAt)) }
        return ranges
    }

    /// Response-time percentiles (p50, p95, p99) of passing results since `since`, exact from
    /// the raw results still kept (7 days by default; older hours keep their own percentiles).
    public func percentiles(_ monitorID: MonitorID, since: Date) async throws -> ResponsePercentiles {
        let times = try await monitors.responseTimes(monitorIDs: [monitorID], since: since, limit: 200_000)[monitorID] ?? []
        return ResponsePercentiles(times.map(\.1))
    }
}

