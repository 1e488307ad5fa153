import Foundation
import Testing
import TelltaleCore
import TelltaleStore
import TelltaleTestSupport

/// The monitor repositories' contract, run on SQLite and PostgreSQL.
@Suite("Monitor repositories")
struct MonitorRepositoryTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func http(_ store: Store, _ org: Organization, name: String = "Web", interval: Int = 60, failures: Int = 2, recoveries: Int = 2) async throws -> Monitor {
        let draft = try MonitorDraft(name: name, target: .http(try HTTPTarget(url: "http://127.0.0.1:9/", headers: ["Authorization": "Bearer secret"])),
                                     intervalSeconds: interval, failureThreshold: failures, recoveryThreshold: recoveries)
        return try await store.repositories.monitors.create(organizationID: org.id, draft, pingToken: nil, now: t0)
    }

    func result(_ monitor: Monitor, _ verdict: CheckVerdict, at seconds: Double, ms: Double? = 10) -> CheckResult {
        CheckResult(monitorID: monitor.id, checkedAt: t0.addingTimeInterval(seconds), verdict: verdict, responseMilliseconds: verdict == .down ? nil : ms,
                    message: verdict == .down ? "refused \(Int(seconds))" : "ok", nextCheckAt: t0.addingTimeInterval(seconds + 60))
    }

    @Test("create, read back with its secrets, update, delete", arguments: TestDatabase.allCases)
    func crud(database: TestDatabase) async throws {
        try await database.withStore { store in
            let org = try await store.repositories.organizations.create(slug: Slug("acme"), name: "Acme")
            let monitor = try await http(store, org)
            #expect(monitor.state.status == .pending)
            guard case .http(let target) = try #require(try await store.repositories.monitors.monitor(id: monitor.id)).target else { Issue.record("not http"); return }
            #expect(target.headers["Authorization"] == "Bearer secret")
            let draft = try MonitorDraft(name: "Renamed", component: "API", target: .tcp(try TCPTarget(host: "db", port: 5432)), intervalSeconds: 30)
            let updated = try #require(try await store.repositories.monitors.update(monitor.id, draft, now: t0))
            #expect(updated.name == "Renamed")
            #expect(updated.component == "API")
            #expect(updated.intervalSeconds == 30)
            #expect(try await store.repositories.monitors.monitors(organizationID: org.id).count == 1)
            #expect(try await store.repositories.monitors.delete(monitor.id))
            #expect(try await store.repositories.monitors.monitor(id: monitor.id) == nil)
        }
    }

    @Test("claims are leases: two claimers never get the same monitor", arguments: TestDatabase.allCases)
    func claims(database: TestDatabase) async throws {
        try await database.withStore { store in
            let org = try await store.repositories.organizations.create(slug: Slug("acme"), name: "Acme")
            for i in 0..<40 { _ = try await http(store, org, name: "m\(i)", interval: 10) }
            let repo = store.repositories.monitors
            let now = t0.addingTimeInterval(11)
            async let a = repo.claimDue(now: now, limit: 25, owner: "node-a", leaseSlack: 10)
            async let b = repo.claimDue(now: now, limit: 25, owner: "node-b", leaseSlack: 10)
            let (first, second) = try await (a, b)
            let ids = first.map(\.monitor.id) + second.map(\.monitor.id)
            #expect(ids.count == 40)
            #expect(Set(ids).count == 40)
            // Leased monitors are not handed out again until the lease ends (each monitor's own
            // 10-s timeout plus the 10-s slack) or the result is written.
            #expect(try await repo.claimDue(now: now, limit: 100, owner: "node-c", leaseSlack: 10).isEmpty)
            #expect(try await repo.claimDue(now: now.addingTimeInterval(19), limit: 100, owner: "node-c", leaseSlack: 10).isEmpty)
            #expect(try await repo.claimDue(now: now.addingTimeInterval(21), limit: 100, owner: "node-c", leaseSlack: 10).count == 40)
        }
    }

    @Test("results drive the thresholds; the downtime runs from the first failure to the first success", arguments: TestDatabase.allCases)
    func downtimes(database: TestDatabase) async throws {
        try await database.withStore { store in
            let org = try await store.repositories.organizations.create(slug: Slug("acme"), name: "Acme")
            let monitor = try await http(store, org)
            let repo = store.repositories.monitors
            var events: [MonitorEvent] = []
            for (seconds, verdict) in [(0.0, CheckVerdict.up), (60, .down), (120, .down), (180, .down), (240, .up), (300, .up)] {
                events += try await repo.record([result(monitor, verdict, at: seconds)], inMaintenance: [])
            }
            #expect(events.map(\.transition.to) == [.up, .down, .up])
            let downtimes = try await repo.downtimes(monitorID: monitor.id, limit: 10)
            #expect(downtimes.count == 1)
            #expect(downtimes[0].start == t0.addingTimeInterval(60))
            #expect(downtimes[0].end == t0.addingTimeInterval(240))
            #expect(downtimes[0].cause == "refused 60")
            #expect(downtimes[0].firstResultID != nil)
            let overlapping = try await repo.downtimes(monitorIDs: [monitor.id], overlapping: TimeRange(start: t0.addingTimeInterval(200), end: t0.addingTimeInterval(400)))
            #expect(overlapping.count == 1)
            #expect(try await repo.monitor(id: monitor.id)?.state.status == .up)
            #expect(try await repo.results(monitorID: monitor.id, limit: 3).map(\.verdict) == [.up, .up, .down])
        }
    }

    @Test("pause and resume are recorded and pause time is known", arguments: TestDatabase.allCases)
    func pauses(database: TestDatabase) async throws {
        try await database.withStore { store in
            let org = try await store.repositories.organizations.create(slug: Slug("acme"), name: "Acme")
            let monitor = try await http(store, org, failures: 1)
            let repo = store.repositories.monitors
            _ = try await repo.record([result(monitor, .down, at: 10)], inMaintenance: [])
            #expect(try await repo.setPaused(monitor.id, true, now: t0.addingTimeInterval(20))?.state.status == .paused)
            // Pausing ends the downtime.
            #expect(try await repo.downtimes(monitorID: monitor.id, limit: 5).first?.end == t0.addingTimeInterval(20))
            #expect(try await repo.setPaused(monitor.id, false, now: t0.addingTimeInterval(50))?.state.status == .pending)
            let paused = try await repo.pausedPeriods(monitorIDs: [monitor.id], overlapping: TimeRange(start: t0, end: t0.addingTimeInterval(100)))
            #expect(paused[monitor.id] == [TimeRange(start: t0.addingTimeInterval(20), end: t0.addingTimeInterval(50))])
        }
    }

    @Test("heartbeat pings: start, end with run id, deadline, overdue", arguments: TestDatabase.allCases)
    func pings(database: TestDatabase) async throws {
        try await database.withStore { store in
            let org = try await store.repositories.organizations.create(slug: Slug("acme"), name: "Acme")
            let repo = store.repositories.monitors
            let target = try HeartbeatTarget(schedule: .interval(seconds: 60), graceSeconds: 30)
            let monitor = try await repo.create(organizationID: org.id, try MonitorDraft(name: "Backup", target: .heartbeat(target), intervalSeconds: 60),
                                                pingToken: "tok123", now: t0)
            #expect(try await repo.monitor(pingToken: "tok123")?.id == monitor.id)
            _ = try await repo.recordPing(monitorID: monitor.id, kind: .start, runID: "r1", body: nil, at: t0.addingTimeInterval(1), inMaintenance: false)
            let (ping, events) = try await repo.recordPing(monitorID: monitor.id, kind: .success, runID: "r1", body: "done", at: t0.addingTimeInterval(4), inMaintenance: false)
            #expect(ping.durationSeconds == 3)
            #expect(events.map(\.transition.to) == [.up])
            // Not due yet.
            #expect(try await repo.claimDue(now: t0.addingTimeInterval(90), limit: 10, owner: "a", leaseSlack: 10).isEmpty)
            let due = try await repo.claimDue(now: t0.addingTimeInterval(95), limit: 10, owner: "a", leaseSlack: 10)
            #expect(due.map(\.monitor.id) == [monitor.id])
            let overdue = try await repo.recordOverdue(monitor.id, now: t0.addingTimeInterval(95), inMaintenance: false)
            #expect(overdue.map(\.transition.to) == [.down])
            #expect(try await repo.pings(monitorID: monitor.id, limit: 10).map(\.kind) == [.success, .start])
            #expect(try await repo.results(monitorID: monitor.id, limit: 1).first?.message.hasPrefix("missed") == true)
        }
    }

    @Test("hourly figures, roll-up and purge of raw results", arguments: TestDatabase.allCases)
    func hourly(database: TestDatabase) async throws {
        try await database.withStore { store in
            let org = try await store.repositories.organizations.create(slug: Slug("acme"), name: "Acme")
            let monitor = try await http(store, org)
            let repo = store.repositories.monitors
            let base = Date(timeIntervalSince1970: 1_800_000_000 / 3600 * 3600)
            let results = (0..<100).map { (i: Int) -> CheckResult in
                let failed = i == 5
                let ms: Double? = failed ? nil : Double(i)
                return CheckResult(monitorID: monitor.id, checkedAt: base.addingTimeInterval(Double(i) * 30), verdict: failed ? .down : .up,
                                   responseMilliseconds: ms, message: "r", nextCheckAt: base)
            }
            _ = try await repo.record(results, inMaintenance: [])
            let hours = try #require(try await repo.hourly(monitorIDs: [monitor.id], since: base)[monitor.id])
            #expect(hours.count == 1)
            #expect(hours[0].checks == 100)
            #expect(hours[0].failures == 1)
            #expect(try await repo.rollUpHours(before: base.addingTimeInterval(3600)) == 1)
            let rolled = try #require(try await repo.hourly(monitorIDs: [monitor.id], since: base)[monitor.id]?.first)
            #expect(rolled.p50 == 50)
            #expect(rolled.p99 == 99)
            #expect(try await repo.purgeResults(before: base.addingTimeInterval(30 * 50), hourlyBefore: base) == 50)
            #expect(try await repo.hourly(monitorIDs: [monitor.id], since: base)[monitor.id]?.first?.checks == 100)
            #expect(try await repo.purgeResults(before: base, hourlyBefore: base.addingTimeInterval(3600)) == 1)
            #expect(try await repo.hourly(monitorIDs: [monitor.id], since: base)[monitor.id] == nil)
        }
    }

    @Test("status pages, notices and maintenance windows", arguments: TestDatabase.allCases)
    func statusPages(database: TestDatabase) async throws {
        try await database.withStore { store in
            let org = try await store.repositories.organizations.create(slug: Slug("acme"), name: "Acme")
            let a = try await http(store, org, name: "A")
            let b = try await http(store, org, name: "B")
            let pages = store.repositories.statusPages
            let page = try await pages.create(organizationID: org.id, slug: Slug("status"), title: "Acme", description: "", monitorIDs: [b.id, a.id], now: t0)
            #expect(page.monitorIDs == [b.id, a.id])
            await #expect(throws: DomainError.self) {
                try await pages.create(organizationID: org.id, slug: Slug("status"), title: "Again", description: "", monitorIDs: [], now: t0)
            }
            #expect(try await pages.update(page.id, slug: Slug("status"), title: "Acme", description: "d", monitorIDs: [a.id])?.monitorIDs == [a.id])
            _ = try await pages.postNotice(pageID: page.id, title: "Slow", body: "b", severity: .minor, now: t0)
            #expect(try await pages.notices(pageID: page.id, limit: 5).map(\.title) == ["Slow"])
            let window = try await pages.createWindow(organizationID: org.id, title: "Patch",
                                                      schedule: .weekly(days: [0, 6], startMinute: 90, durationMinutes: 30, timeZone: TimeZone(identifier: "Europe/Berlin")!),
                                                      monitorIDs: [b.id], statusPageID: page.id)
            let stored = try #require(try await pages.window(id: window.id))
            #expect(stored.schedule == window.schedule)
            #expect(stored.monitorIDs == [b.id])
            #expect(try await pages.allWindows().count == 1)
            #expect(try await pages.deleteWindow(window.id))
            #expect(try await pages.delete(page.id))
        }
    }
}
