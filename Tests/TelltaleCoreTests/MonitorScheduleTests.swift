import Foundation
import Testing
@testable import TelltaleCore

@Suite("Crontab schedules in time zones")
struct CronScheduleTests {
    let utc = TimeZone(identifier: "UTC")!
    let berlin = TimeZone(identifier: "Europe/Berlin")!

    func date(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }

    @Test func everyFifteenMinutes() throws {
        let cron = try CronSchedule("*/15 * * * *")
        #expect(cron.next(after: date("2026-03-01T10:07:00Z"), in: utc) == date("2026-03-01T10:15:00Z"))
        #expect(cron.next(after: date("2026-03-01T10:45:00Z"), in: utc) == date("2026-03-01T11:00:00Z"))
    }

    @Test func namesRangesAndMacros() throws {
        let weekdays = try CronSchedule("30 9 * * mon-fri")
        // 2026-03-06 is a Friday: the next run after Friday 10:00 is Monday 09:30.
        #expect(weekdays.next(after: date("2026-03-06T10:00:00Z"), in: utc) == date("2026-03-09T09:30:00Z"))
        let daily = try CronSchedule("@daily")
        #expect(daily.next(after: date("2026-03-06T10:00:00Z"), in: utc) == date("2026-03-07T00:00:00Z"))
        let sundaySeven = try CronSchedule("0 0 * * 7")
        #expect(sundaySeven.next(after: date("2026-03-06T10:00:00Z"), in: utc) == date("2026-03-08T00:00:00Z"))
    }

    @Test func dayOfMonthOrDayOfWeek() throws {
        // Both restricted: either matches (Vixie cron).
        let cron = try CronSchedule("0 12 1 * mon")
        #expect(cron.next(after: date("2026-03-01T13:00:00Z"), in: utc) == date("2026-03-02T12:00:00Z"))
    }

    @Test func wallClockInTheZone() throws {
        let cron = try CronSchedule("0 3 * * *")
        // 03:00 in Berlin is 02:00 UTC in winter.
        #expect(cron.next(after: date("2026-01-10T00:00:00Z"), in: berlin) == date("2026-01-10T02:00:00Z"))
        // and 01:00 UTC in summer.
        #expect(cron.next(after: date("2026-07-10T00:00:00Z"), in: berlin) == date("2026-07-10T01:00:00Z"))
    }

    @Test func springForwardRunsOnceAfterTheGap() throws {
        // Berlin skips 02:00–03:00 on 2026-03-29; a 02:30 job runs at the first instant after the gap.
        let cron = try CronSchedule("30 2 * * *")
        let run = try #require(cron.next(after: date("2026-03-28T23:00:00Z"), in: berlin))
        #expect(run == date("2026-03-29T01:30:00Z"))
        #expect(cron.next(after: run, in: berlin) == date("2026-03-30T00:30:00Z"))
    }

    @Test func fallBackRunsOnce() throws {
        // Berlin repeats 02:00–03:00 on 2026-10-25; a 02:30 job runs once, at the first 02:30.
        let cron = try CronSchedule("30 2 * * *")
        let first = try #require(cron.next(after: date("2026-10-24T23:00:00Z"), in: berlin))
        #expect(first == date("2026-10-25T00:30:00Z"))
        #expect(cron.next(after: first, in: berlin) == date("2026-10-26T01:30:00Z"))
    }

    @Test func neverFiring() throws {
        #expect(try CronSchedule("0 0 30 2 *").next(after: date("2026-01-01T00:00:00Z"), in: utc) == nil)
    }

    @Test(arguments: ["* * * *", "61 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "* * * * 8", "*/0 * * * *", "5-1 * * * *", "a * * * *", "1,,2 * * * *"])
    func malformed(_ text: String) {
        #expect(throws: ValidationError.self) { try CronSchedule(text) }
    }

    @Test func unknownZone() {
        #expect(throws: ValidationError.self) { try TimeZone.named("Mars/Olympus") }
        #expect(throws: ValidationError.self) { try TimeZone.named("") }
    }
}

@Suite("Heartbeat rules")
struct HeartbeatRulesTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func target(interval: Int = 60, grace: Int = 30, maxRuntime: Int? = nil) throws -> HeartbeatTarget {
        try HeartbeatTarget(schedule: .interval(seconds: interval), graceSeconds: grace, maxRuntimeSeconds: maxRuntime)
    }

    @Test func successSetsTheNextDeadline() throws {
        let outcome = HeartbeatRules.receive(.success, runID: nil, at: t0, target: try target(), progress: .init(lastSuccessAt: nil, runStartedAt: nil, runID: nil), currentDeadline: nil)
        #expect(outcome.verdict == .up)
        #expect(outcome.deadline == t0.addingTimeInterval(90))
        #expect(outcome.late == false)
    }

    @Test func lateSuccessIsMarked() throws {
        let outcome = HeartbeatRules.receive(.success, runID: nil, at: t0.addingTimeInterval(100), target: try target(),
                                             progress: .init(lastSuccessAt: t0, runStartedAt: nil, runID: nil), currentDeadline: t0.addingTimeInterval(90))
        #expect(outcome.late)
    }

    @Test func startPairsWithItsEndByRunID() throws {
        let start = HeartbeatRules.receive(.start, runID: "a", at: t0, target: try target(maxRuntime: 20), progress: .init(lastSuccessAt: t0.addingTimeInterval(-60), runStartedAt: nil, runID: nil), currentDeadline: nil)
        #expect(start.verdict == nil)
        // The max runtime ends before the missed deadline, so it is the next look.
        #expect(start.deadline == t0.addingTimeInterval(20))
        let other = HeartbeatRules.receive(.success, runID: "b", at: t0.addingTimeInterval(5), target: try target(maxRuntime: 20), progress: start.progress, currentDeadline: start.deadline)
        #expect(other.durationSeconds == nil)
        #expect(other.progress.runStartedAt == t0)
        let end = HeartbeatRules.receive(.success, runID: "a", at: t0.addingTimeInterval(12), target: try target(maxRuntime: 20), progress: start.progress, currentDeadline: start.deadline)
        #expect(end.durationSeconds == 12)
        #expect(end.progress.runStartedAt == nil)
    }

    @Test func overrunIsAFailureEvenWhenItEndsWell() throws {
        let started = HeartbeatProgress(lastSuccessAt: t0.addingTimeInterval(-60), runStartedAt: t0, runID: nil)
        let end = HeartbeatRules.receive(.success, runID: nil, at: t0.addingTimeInterval(45), target: try target(maxRuntime: 30), progress: started, currentDeadline: nil)
        #expect(end.verdict == .down)
        #expect(end.message.contains("max runtime"))
    }

    @Test func exitStatusAndFail() throws {
        let progress = HeartbeatProgress(lastSuccessAt: t0, runStartedAt: nil, runID: nil)
        #expect(HeartbeatRules.receive(.exitStatus(0), runID: nil, at: t0, target: try target(), progress: progress, currentDeadline: nil).verdict == .up)
        let failed = HeartbeatRules.receive(.exitStatus(3), runID: nil, at: t0, target: try target(), progress: progress, currentDeadline: nil)
        #expect(failed.verdict == .down)
        #expect(failed.message == "run failed with exit status 3")
        #expect(HeartbeatRules.receive(.fail, runID: nil, at: t0, target: try target(), progress: progress, currentDeadline: nil).verdict == .down)
    }

    @Test func overdueMissedAndOverrun() throws {
        let missed = HeartbeatRules.overdue(at: t0.addingTimeInterval(95), target: try target(), progress: .init(lastSuccessAt: t0, runStartedAt: nil, runID: nil))
        #expect(missed.verdict == .down)
        #expect(missed.message.hasPrefix("missed"))
        #expect(missed.deadline == t0.addingTimeInterval(95 + 90))
        let overrun = HeartbeatRules.overdue(at: t0.addingTimeInterval(31), target: try target(maxRuntime: 30), progress: .init(lastSuccessAt: t0.addingTimeInterval(-10), runStartedAt: t0, runID: nil))
        #expect(overrun.message.contains("max runtime"))
        #expect(overrun.progress.runStartedAt == nil)
    }

    @Test func pingPaths() throws {
        #expect(try PingKind(pathSuffix: nil) == .success)
        #expect(try PingKind(pathSuffix: "start") == .start)
        #expect(try PingKind(pathSuffix: "0") == .success)
        #expect(try PingKind(pathSuffix: "2") == .exitStatus(2))
        #expect(throws: ValidationError.self) { try PingKind(pathSuffix: "256") }
        #expect(throws: ValidationError.self) { try PingKind(pathSuffix: "stop") }
    }

    @Test func cronScheduleDeadlines() throws {
        let zone = TimeZone(identifier: "America/New_York")!
        let nightly = try HeartbeatTarget(schedule: .cron(try CronSchedule("0 2 * * *"), zone), graceSeconds: 600)
        // Success at 02:01 New York on 2026-03-07; the next run is due 02:00 on 03-08, which
        // is the day clocks spring forward at 02:00: it runs at 03:00 EDT = 07:00 UTC.
        let success = try Date("2026-03-07T07:01:00Z", strategy: .iso8601)
        #expect(nightly.deadline(lastSuccess: success, runStartedAt: nil) == (try Date("2026-03-08T07:10:00Z", strategy: .iso8601)))
    }
}
