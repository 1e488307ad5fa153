import Foundation
import Testing
@testable import TelltaleCore

@Suite("Monitor state machine: failure and recovery thresholds")
struct MonitorStateMachineTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func run(_ machine: MonitorStateMachine, _ verdicts: [CheckVerdict], from state: MonitorState? = nil) -> (MonitorState, [MonitorTransition]) {
        var state = state ?? .pending(at: t0)
        var transitions: [MonitorTransition] = []
        for (i, verdict) in verdicts.enumerated() {
            let (next, transition) = machine.apply(verdict, message: "r\(i)", at: t0.addingTimeInterval(Double(i) * 10), to: state)
            state = next
            if let transition { transitions.append(transition) }
        }
        return (state, transitions)
    }

    @Test func pendingGoesUpOnFirstSuccess() {
        let (state, transitions) = run(MonitorStateMachine(failureThreshold: 3, recoveryThreshold: 3), [.up])
        #expect(state.status == .up)
        #expect(transitions.map(\.to) == [.up])
    }

    @Test func downOnlyAfterTheFailureThresholdAndFromTheFirstFailure() {
        let machine = MonitorStateMachine(failureThreshold: 3, recoveryThreshold: 2)
        let (state, transitions) = run(machine, [.up, .down, .down, .up, .down, .down, .down])
        #expect(state.status == .down)
        #expect(transitions.map(\.to) == [.up, .down])
        // The run that crossed the threshold started with result 4 (at 40 s), not result 6.
        #expect(transitions.last?.at == t0.addingTimeInterval(40))
        #expect(transitions.last?.cause == "r6")
    }

    @Test func recoveryNeedsItsOwnThreshold() {
        let machine = MonitorStateMachine(failureThreshold: 1, recoveryThreshold: 3)
        let (state, transitions) = run(machine, [.up, .down, .up, .up, .down, .up, .up, .up])
        #expect(state.status == .up)
        #expect(transitions.map(\.to) == [.up, .down, .up])
        // Recovery is dated from the first success of the run that recovered (result 5).
        #expect(transitions.last?.at == t0.addingTimeInterval(50))
    }

    @Test func degradedIsNotAFailure() {
        let machine = MonitorStateMachine(failureThreshold: 2, recoveryThreshold: 2)
        let (state, transitions) = run(machine, [.up, .degraded, .up, .degraded])
        #expect(state.status == .degraded)
        #expect(transitions.map(\.to) == [.up, .degraded, .up, .degraded])
        let (recovered, _) = run(machine, [.down, .down, .degraded, .degraded], from: MonitorState(status: .up, since: t0))
        #expect(recovered.status == .degraded)
    }

    @Test func pausingAndResuming() {
        let machine = MonitorStateMachine(failureThreshold: 1, recoveryThreshold: 1)
        let (paused, pause) = machine.setPaused(true, at: t0, state: MonitorState(status: .down, consecutiveFailures: 4, since: t0))
        #expect(paused.status == .paused)
        #expect(pause?.from == .down)
        // Results while paused change nothing.
        #expect(machine.apply(.down, message: "x", at: t0, to: paused).1 == nil)
        let (resumed, resume) = machine.setPaused(false, at: t0.addingTimeInterval(5), state: paused)
        #expect(resumed.status == .pending)
        #expect(resume?.to == .pending)
        #expect(machine.setPaused(false, at: t0, state: resumed).1 == nil)
    }

    @Test func thresholdsAreAtLeastOne() {
        let machine = MonitorStateMachine(failureThreshold: 0, recoveryThreshold: -3)
        #expect(machine.failureThreshold == 1)
        #expect(machine.recoveryThreshold == 1)
    }

    @Test func schedulingKeepsPhaseAndSkipsMissedSlots() {
        #expect(MonitorScheduling.nextCheck(due: t0, intervalSeconds: 60, now: t0.addingTimeInterval(2)) == t0.addingTimeInterval(60))
        #expect(MonitorScheduling.nextCheck(due: t0, intervalSeconds: 60, now: t0.addingTimeInterval(130)) == t0.addingTimeInterval(180))
        #expect(MonitorScheduling.nextCheck(due: t0, intervalSeconds: 60, now: t0.addingTimeInterval(60)) == t0.addingTimeInterval(120))
        #expect(MonitorScheduling.skippedSlots(due: t0, intervalSeconds: 60, now: t0.addingTimeInterval(130)) == 2)
    }
}

@Suite("Uptime from periods, maintenance windows")
struct UptimeTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    func range(_ a: Double, _ b: Double) -> TimeRange { TimeRange(start: t0.addingTimeInterval(a), end: t0.addingTimeInterval(b)) }

    @Test func exactFromPeriods() {
        let report = UptimeReport.compute(window: range(0, 1000), downtimes: [range(100, 150), range(900, 1100)], notMonitored: [])
        #expect(report.downtimeSeconds == 150)
        #expect(report.uptimePercent == 85)
        #expect(report.periods == [range(100, 150), range(900, 1000)])
    }

    @Test func periodsSpanningTheWindowEdges() {
        let report = UptimeReport.compute(window: range(0, 100), downtimes: [range(-50, 10), range(90, 500)], notMonitored: [])
        #expect(report.downtimeSeconds == 20)
        #expect(report.periods == [range(0, 10), range(90, 100)])
    }

    @Test func maintenanceOverlappingDowntimeCountsNeitherWay() {
        // Down 100–300, maintenance 200–400: only 100–200 is downtime; 200–400 is not monitored.
        let report = UptimeReport.compute(window: range(0, 1000), downtimes: [range(100, 300)], notMonitored: [range(200, 400)])
        #expect(report.downtimeSeconds == 100)
        #expect(report.monitoredSeconds == 800)
        #expect(report.uptimePercent == 87.5)
    }

    @Test func nothingMonitored() {
        let report = UptimeReport.compute(window: range(0, 100), downtimes: [], notMonitored: [range(-10, 200)])
        #expect(report.uptimePercent == nil)
    }

    @Test func dailyBarsStartWithTheMonitor() throws {
        let utc = TimeZone(identifier: "UTC")!
        let now = try Date("2026-05-10T12:00:00Z", strategy: .iso8601)
        let created = try Date("2026-05-09T06:00:00Z", strategy: .iso8601)
        let down = TimeRange(start: try Date("2026-05-09T12:00:00Z", strategy: .iso8601), end: try Date("2026-05-09T13:00:00Z", strategy: .iso8601))
        let days = UptimeReport.daily(days: 3, now: now, timeZone: utc, lifetimeStart: created, downtimes: [down], notMonitored: [])
        #expect(days.count == 3)
        #expect(days[0].uptimePercent == nil)
        #expect(days[1].downtimeSeconds == 3600)
        #expect(days[1].monitoredSeconds == 18 * 3600)
        #expect(days[2].uptimePercent == 100)
    }

    @Test func weeklyMaintenanceAcrossDST() throws {
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        // Sundays 01:00–03:00 Berlin time.
        let schedule = MaintenanceSchedule.weekly(days: [0], startMinute: 60, durationMinutes: 120, timeZone: berlin)
        let winter = schedule.occurrences(overlapping: TimeRange(start: try Date("2026-03-01T00:00:00Z", strategy: .iso8601), end: try Date("2026-03-02T00:00:00Z", strategy: .iso8601)))
        #expect(winter.map(\.start) == [try Date("2026-03-01T00:00:00Z", strategy: .iso8601)])
        let summer = schedule.occurrences(overlapping: TimeRange(start: try Date("2026-06-07T00:00:00Z", strategy: .iso8601), end: try Date("2026-06-08T00:00:00Z", strategy: .iso8601)))
        #expect(summer.map(\.start) == [try Date("2026-06-06T23:00:00Z", strategy: .iso8601)])
        #expect(schedule.contains(try Date("2026-06-07T00:30:00Z", strategy: .iso8601)))
        #expect(!schedule.contains(try Date("2026-06-07T02:00:00Z", strategy: .iso8601)))
    }

    @Test func calendarResolvesPageWideWindows() {
        let window = MaintenanceWindow(id: MaintenanceWindowID(1), organizationID: OrganizationID(1), title: "x", schedule: .once(range(0, 100)),
                                       monitorIDs: [MonitorID(7)], statusPageID: StatusPageID(3))
        let calendar = MaintenanceCalendar(windows: [window], pageMonitors: [StatusPageID(3): [MonitorID(8)]])
        #expect(calendar.isInMaintenance(MonitorID(7), at: t0.addingTimeInterval(50)))
        #expect(calendar.isInMaintenance(MonitorID(8), at: t0.addingTimeInterval(50)))
        #expect(!calendar.isInMaintenance(MonitorID(9), at: t0.addingTimeInterval(50)))
        #expect(!calendar.isInMaintenance(MonitorID(7), at: t0.addingTimeInterval(150)))
    }

    @Test func componentStatus() {
        #expect(ComponentStatus.of([.up, .up], inMaintenance: false) == .operational)
        #expect(ComponentStatus.of([.up, .down], inMaintenance: false) == .partialOutage)
        #expect(ComponentStatus.of([.down, .down, .paused], inMaintenance: false) == .majorOutage)
        #expect(ComponentStatus.of([.degraded, .up], inMaintenance: false) == .degraded)
        #expect(ComponentStatus.of([.down], inMaintenance: true) == .maintenance)
        #expect(ComponentStatus.overall([.operational, .degraded, .maintenance]) == .degraded)
    }

    @Test func percentilesByNearestRank() {
        let figures = ResponsePercentiles((1...100).map(Double.init))
        #expect(figures.p50 == 50)
        #expect(figures.p95 == 95)
        #expect(figures.p99 == 99)
        #expect(ResponsePercentiles([]).p50 == nil)
    }
}

@Suite("Monitor targets: validation and JSON paths")
struct MonitorTargetTests {
    @Test func httpValidation() {
        #expect(throws: ValidationError.self) { try HTTPTarget(url: "ftp://example.com") }
        #expect(throws: ValidationError.self) { try HTTPTarget(url: "not a url") }
        #expect(throws: ValidationError.self) { try HTTPTarget(method: "BREW", url: "http://x") }
        #expect(throws: ValidationError.self) { try HTTPTarget(url: "http://x", headers: ["X-A": "a\r\nInjected: 1"]) }
        #expect(throws: ValidationError.self) { try StatusCodeRange(parsing: "700") }
        #expect(throws: ValidationError.self) { try StatusCodeRange(parsing: "300-200") }
        #expect((try? StatusCodeRange(parsing: "200-299"))?.range == 200...299)
    }

    @Test func draftValidation() throws {
        let target = MonitorTarget.tcp(try TCPTarget(host: "db", port: 5432))
        #expect(throws: ValidationError.self) { try MonitorDraft(name: "x", target: target, intervalSeconds: 0) }
        #expect(throws: ValidationError.self) { try MonitorDraft(name: " ", target: target) }
        #expect(throws: ValidationError.self) { try MonitorDraft(name: "x", target: target, failureThreshold: 0) }
        #expect(throws: ValidationError.self) { try TCPTarget(host: "db", port: 70000) }
        let draft = try MonitorDraft(name: "Database", target: target, intervalSeconds: 1)
        #expect(draft.component == "Database")
        #expect(draft.timeoutSeconds == 1)
    }

    @Test func postgresPasswordIsRedacted() throws {
        let target = try PostgresTarget(connection: "postgres://app:s3cret@db:5432/shop")
        #expect(!target.redactedConnection.contains("s3cret"))
        #expect(target.query == "SELECT 1")
        #expect(throws: ValidationError.self) { try PostgresTarget(connection: "mysql://x") }
    }

    @Test func jsonPaths() throws {
        let body = Array(#"{"status":"ok","checks":[{"ok":true,"ms":12.5}],"n":3,"weird key":null}"#.utf8)
        #expect(try JSONPath("$.status").value(in: body) == "ok")
        #expect(try JSONPath("$.checks[0].ok").value(in: body) == "true")
        #expect(try JSONPath("$.checks[0].ms").value(in: body) == "12.5")
        #expect(try JSONPath("$.n").value(in: body) == "3")
        #expect(try JSONPath("$['weird key']").value(in: body) == "null")
        #expect(try JSONPath("$.missing").value(in: body) == nil)
        #expect(try JSONPath("$.status").value(in: Array("not json".utf8)) == nil)
        #expect(throws: ValidationError.self) { try JSONPath("status") }
        #expect(throws: ValidationError.self) { try JSONPath("$.a[x]") }
    }
}
