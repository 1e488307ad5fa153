public import Foundation
public import Logging
public import ServiceLifecycle
public import TelltaleCore

/// Runs due checks: claims due monitors under a lease (so with several nodes each check runs on
/// one), runs at most `maxInFlight` at once, and writes results in batches. Push monitors whose
/// deadline passed are recorded as missed.
public struct MonitorScheduler: Service {
    /// How the scheduler paces itself.
    public struct Settings: Sendable {
        /// Checks running at once, across all monitors.
        public var maxInFlight: Int
        /// How often it looks for due monitors and writes finished results.
        public var tick: Duration

        public init(maxInFlight: Int = 512, tick: Duration = .milliseconds(100)) {
            self.maxInFlight = maxInFlight
            self.tick = tick
        }
    }

    let monitors: any MonitorRepository
    let recorder: MonitorRecorder
    let checker: MonitorChecker
    let maintenance: MaintenanceCache
    let settings: Settings
    let owner: String
    /// Seconds a claim outlasts its monitor's timeout: time to write the result. A node that
    /// dies mid-check holds the monitor no longer than that.
    static let leaseSlack: TimeInterval = 15
    let now: @Sendable () -> Date
    let ready: @Sendable () async -> Void
    let logger: Logger

    /// `ready` returns once the database schema is in place (the server migrates as it starts).
    public init(monitors: any MonitorRepository, recorder: MonitorRecorder, checker: MonitorChecker, maintenance: MaintenanceCache,
                settings: Settings = Settings(), owner: String = SecretGenerator.hex(byteCount: 8),
                now: @escaping @Sendable () -> Date = Date.init, ready: @escaping @Sendable () async -> Void = {}, logger: Logger) {
        self.monitors = monitors
        self.recorder = recorder
        self.checker = checker
        self.maintenance = maintenance
        self.settings = settings
        self.owner = owner
        self.now = now
        self.ready = ready
        self.logger = logger
    }

    public func run() async throws {
        await ready()
        let pending = PendingResults()
        await withDiscardingTaskGroup { group in
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                do {
                    try await pass(pending: pending, group: &group)
                } catch {
                    logger.error("Monitor scheduler pass failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: settings.tick)
            }
        }
        // Every started check has finished: write what is left.
        try? await flush(pending)
    }

    /// One pass: write finished results, claim what is due, start it.
    func pass(pending: PendingResults, group: inout DiscardingTaskGroup) async throws {
        try await flush(pending)
        let capacity = settings.maxInFlight - (await pending.inFlight)
        guard capacity > 0 else { return }
        let start = now()
        // A read first: claiming is a write, and most passes find nothing due.
        guard let due = try await monitors.nextDueAt(), due <= start else { return }
        await maintenance.refreshIfStale(now: start)
        let claimed = try await monitors.claimDue(now: start, limit: capacity, owner: owner, leaseSlack: Self.leaseSlack)
        var worstLag = 0.0
        for due in claimed {
            let lag = start.timeIntervalSince(due.dueAt)
            worstLag = max(worstLag, lag)
            recorder.metrics.lag(lag)
            if due.monitor.type.isActive {
                await pending.started()
                let checker = checker
                let now = now
                let metrics = recorder.metrics
                group.addTask {
                    let result = await Self.runCheck(due, checker: checker, now: now)
                    let interval = TimeInterval(max(1, due.monitor.intervalSeconds))
                    metrics.skipped(Int((result.nextCheckAt.timeIntervalSince(due.dueAt) / interval).rounded()) - 1)
                    await pending.finished(result, monitor: due.monitor)
                }
            } else {
                let inMaintenance = await maintenance.calendar.isInMaintenance(due.monitor.id, at: start)
                let events = try await monitors.recordOverdue(due.monitor.id, now: start, inMaintenance: inMaintenance)
                recorder.announce(events)
            }
        }
        if !claimed.isEmpty { recorder.metrics.passLag(worstLag) }
    }

    /// Checks `due` now and stamps the result with its schedule.
    static func runCheck(_ due: DueMonitor, checker: MonitorChecker, now: @Sendable () -> Date) async -> CheckResult {
        let startedAt = now()
        let outcome = await checker.check(due.monitor)
        let finishedAt = now()
        return CheckResult(monitorID: due.monitor.id, checkedAt: startedAt, scheduledAt: due.dueAt, verdict: outcome.verdict,
                           responseMilliseconds: outcome.responseMilliseconds, statusCode: outcome.statusCode, message: outcome.message,
                           nextCheckAt: MonitorScheduling.nextCheck(due: due.dueAt, intervalSeconds: due.monitor.intervalSeconds, now: finishedAt))
    }

    func flush(_ pending: PendingResults) async throws {
        let batch = await pending.drain()
        guard !batch.isEmpty else { return }
        try await recorder.record(batch)
    }
}

/// Results of finished checks waiting for the next batched write, and the count still running.
actor PendingResults {
    private(set) var inFlight = 0
    private var results: [(CheckResult, Monitor)] = []

    func started() { inFlight += 1 }

    func finished(_ result: CheckResult, monitor: Monitor) {
        inFlight -= 1
        results.append((result, monitor))
    }

    func drain() -> [(CheckResult, Monitor)] {
        defer { results.removeAll(keepingCapacity: true) }
        return results
    }
}
