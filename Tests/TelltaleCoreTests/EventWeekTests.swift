import Testing
import TelltaleCore

@Suite("Event weeks")
struct EventWeekTests {
    static let day: Int64 = 86_400_000
    /// 2026-12-05 12:00 UTC, a Saturday.
    static let saturday: Int64 = 1_796_472_000_000

    @Test("weeks run Monday to Monday in UTC and are named by their Monday")
    func weeks() {
        let week = EventWeek(containing: Self.saturday)
        #expect(week.tableName == "events_w20261130")
        #expect(week.start == Self.saturday - 5 * Self.day - Self.day / 2)
        #expect(week.end - week.start == 7 * Self.day)
        #expect(EventWeek(containing: week.start) == week)
        #expect(EventWeek(containing: week.start - 1) == week.adding(-1))
        #expect(EventWeek(containing: week.end) == week.adding(1))
        // Across a year end and a leap day.
        #expect(week.adding(4).tableName == "events_w20261228")
        #expect(week.adding(5).tableName == "events_w20270104")
        #expect(EventWeek(containing: 1_709_208_000_000).tableName == "events_w20240226")  // 2024-02-29
        #expect(EventWeek(containing: 0).tableName == "events_w19691229")
    }

    @Test("the current week and three ahead exist; a range already covering a week keeps it")
    func ahead() {
        let week = EventWeek(containing: Self.saturday)
        #expect(EventWeekPlan.weeksToCreate(now: Self.saturday, existing: []) == (0...3).map { week.adding($0) })
        // The table from before weeks runs to the end of this week; the catch-all covers nothing.
        let before = EventRange(table: "events_before_weeks", start: nil, end: week.end)
        let existing = [before, EventRange(table: "events_unscheduled", start: nil, end: nil), EventRange(table: week.adding(2).tableName, start: week.adding(2).start, end: week.adding(2).end)]
        #expect(EventWeekPlan.weeksToCreate(now: Self.saturday, existing: existing) == [week.adding(1), week.adding(3)])
    }

    @Test("a range goes when it has ended and every project with events there keeps nothing that old")
    func drops() {
        let week = EventWeek(containing: Self.saturday)
        let range = EventRange(table: week.tableName, start: week.start, end: week.end)
        let now = week.end + 31 * Self.day
        let thirty = now - 30 * Self.day
        let ninety = now - 90 * Self.day
        #expect(EventWeekPlan.canDrop(range, now: now, projectsWithEvents: [1], cutoffs: [1: thirty, 2: ninety]))
        #expect(!EventWeekPlan.canDrop(range, now: now, projectsWithEvents: [1, 2], cutoffs: [1: thirty, 2: ninety]))
        // A project gone from the cutoffs took its events with it.
        #expect(EventWeekPlan.canDrop(range, now: now, projectsWithEvents: [1, 3], cutoffs: [1: thirty]))
        // An empty range goes once it has ended, never before.
        #expect(EventWeekPlan.canDrop(range, now: week.end, projectsWithEvents: [], cutoffs: [:]))
        #expect(!EventWeekPlan.canDrop(range, now: week.end - 1, projectsWithEvents: [], cutoffs: [:]))
        #expect(!EventWeekPlan.canDrop(EventRange(table: "events_unscheduled", start: nil, end: nil), now: now, projectsWithEvents: [], cutoffs: [:]))
    }
}
