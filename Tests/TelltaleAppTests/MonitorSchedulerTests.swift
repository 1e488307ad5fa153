import Foundation
import Logging
import Metrics
import Synchronization
import Testing
import TelltaleCore
import TelltaleStore
import TelltaleTestSupport
@testable import TelltaleMonitors

/// The scheduler with a hand-moved clock: no test waits for a timer.
@Suite("Monitor scheduler")
struct MonitorSchedulerTests {
    final class Clock: Sendable {
        let value: Mutex<Date>
        init(_ start: Date) { value = Mutex(start) }
        var now: Date { value.withLock { $0 } }
        func set(_ date: Date) { value.withLock { $0 = date } }
    }

    /// The HTTP client must be shut down before it goes away; `body` gets a scheduler and its service.
    static func withScheduler(_ store: Store, clock: Clock, _ body: (MonitorScheduler, MonitorService) async throws -> Void) async throws {
        let http = HTTPChecker()
        do {
            let (scheduler, service) = scheduler(store, clock: clock, http: http)
            try await body(scheduler, service)
        } catch {
            await http.shutdown()
            throw error
        }
        await http.shutdown()
    }

    static func scheduler(_ store: Store, clock: Clock, http: HTTPChecker) -> (MonitorScheduler, MonitorService) {
        let maintenance = MaintenanceCache(statusPages: store.repositories.statusPages)
        let recorder = MonitorRecorder(monitors: store.repositories.monitors, maintenance: maintenance, metrics: MonitorMetrics(factory: NOOPMetricsHandler.instance),
                                       listeners: MonitorEventListeners(), logger: TestDatabase.logger)
        let checker = MonitorChecker(http: http, postgres: PostgresMonitorProbe())
        let scheduler = MonitorScheduler(monitors: store.repositories.monitors, recorder: recorder, checker: checker, maintenance: maintenance,
                                         now: { clock.now }, logger: TestDatabase.logger)
        let service = MonitorService(monitors: store.repositories.monitors, statusPages: store.repositories.statusPages, recorder: recorder,
                                     maintenance: maintenance, checker: checker, now: { clock.now })
        return (scheduler, service)
    }

    /// One scheduler pass, waiting for the checks it started, then the batched write.
    static func pass(_ scheduler: MonitorScheduler) async throws {
        let pending = PendingResults()
        // The group ends only when every check it started has finished.
        let failure: (any Error)? = await withDiscardingTaskGroup { group in
            do {
                try await scheduler.pass(pending: pending, group: &group)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
        try await scheduler.flush(pending)
    }

    @Test("a due check runs once, is recorded, and the next one keeps the monitor's phase", arguments: TestDatabase.allCases)
    func dueCheck(database: TestDatabase) async throws {
        try await database.withStore { store in
            let t0 = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 60).rounded(.down) * 60)
            let clock = Clock(t0)
            try await Self.withScheduler(store, clock: clock) { scheduler, service in
                let org = try await store.repositories.organizations.create(slug: Slug("acme"), name: "Acme")
                let draft = try MonitorDraft(name: "Closed port", target: .http(try HTTPTarget(url: "http://127.0.0.1:9/")), intervalSeconds: 60, timeoutSeconds: 2)
                let monitor = try await service.create(in: org.id, draft)
                // Nothing is due before the first slot (somewhere in the first interval).
                clock.set(t0.addingTimeInterval(-1))
                try await Self.pass(scheduler)
                #expect(try await store.repositories.monitors.results(monitorID: monitor.id, limit: 5).isEmpty)
                clock.set(t0.addingTimeInterval(61))
                try await Self.pass(scheduler)
                let results = try await store.repositories.monitors.results(monitorID: monitor.id, limit: 5)
                #expect(results.count == 1)
                #expect(results.first?.message.contains("refused") == true)
                #expect(try await store.repositories.monitors.monitor(id: monitor.id)?.state.status == .down)
                // Run again at the same instant: the next slot is a whole interval after the last due time.
                try await Self.pass(scheduler)
                #expect(try await store.repositories.monitors.results(monitorID: monitor.id, limit: 5).count == 1)
                let due = try #require(try await store.repositories.monitors.nextDueAt())
                #expect(due > t0.addingTimeInterval(61) && due <= t0.addingTimeInterval(121))
            }
        }
    }

    @Test("a heartbeat past its deadline is recorded as missed by the scheduler", arguments: TestDatabase.allCases)
    func missedHeartbeat(database: TestDatabase) async throws {
        try await database.withStore { store in
            let t0 = Date(timeIntervalSince1970: 1_800_000_000)
            let clock = Clock(t0)
            try await Self.withScheduler(store, clock: clock) { scheduler, service in
                let org = try await store.repositories.organizations.create(slug: Slug("acme"), name: "Acme")
                let target = try HeartbeatTarget(schedule: .interval(seconds: 300), graceSeconds: 60)
                let monitor = try await service.create(in: org.id, try MonitorDraft(name: "Backup", target: .heartbeat(target), intervalSeconds: 300))
                _ = try await service.ping(monitor.id, kind: .success, runID: nil, body: nil)
                clock.set(t0.addingTimeInterval(359))
                try await Self.pass(scheduler)
                #expect(try await store.repositories.monitors.monitor(id: monitor.id)?.state.status == .up)
                clock.set(t0.addingTimeInterval(361))
                try await Self.pass(scheduler)
                let state = try #require(try await store.repositories.monitors.monitor(id: monitor.id)).state
                #expect(state.status == .down)
                #expect(try await store.repositories.monitors.results(monitorID: monitor.id, limit: 1).first?.message.hasPrefix("missed") == true)
            }
        }
    }
}
