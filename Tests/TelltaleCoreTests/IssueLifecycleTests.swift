import Testing
import TelltaleCore

@Suite("Issue status lifecycle")
struct IssueLifecycleTests {
    @Test("people set the workflow statuses in any order; new and recurring are Telltale's")
    func manualChanges() throws {
        for target in [IssueStatus.investigating, .identified, .fixing, .resolved, .ignored] {
            try IssueLifecycle.change(to: target)
        }
        #expect(throws: IssueTransitionError.self) { try IssueLifecycle.change(to: .recurring) }
        #expect(throws: IssueTransitionError.self) { try IssueLifecycle.change(to: .new) }
    }

    @Test("an event after resolved is a regression; open issues are untouched")
    func regression() {
        #expect(IssueLifecycle.afterEvents(status: .resolved, ignore: nil, now: 10, timesSeen: 5, userCount: 1) == .regressed)
        #expect(IssueLifecycle.status(after: .regressed, from: .resolved) == .recurring)
        for status in [IssueStatus.new, .investigating, .identified, .fixing, .recurring] {
            #expect(IssueLifecycle.afterEvents(status: status, ignore: nil, now: 10, timesSeen: 5, userCount: 1) == .none)
        }
    }

    @Test("ignore conditions: forever, until a time, until N more events or users")
    func ignoreConditions() {
        func effect(_ condition: IgnoreCondition, now: Double = 100, events: Int64 = 10, users: Int64 = 2) -> IssueLifecycle.Effect {
            IssueLifecycle.afterEvents(status: .ignored, ignore: condition, now: now, timesSeen: events, userCount: users)
        }
        #expect(effect(.forever) == .none)
        #expect(effect(.until(seconds: 200)) == .none)
        #expect(effect(.until(seconds: 50)) == .unignored)
        #expect(effect(.moreEvents(5, baseline: 6)) == .none)
        #expect(effect(.moreEvents(5, baseline: 5)) == .unignored)
        #expect(effect(.moreUsers(3, baseline: 0)) == .none)
        #expect(effect(.moreUsers(2, baseline: 0)) == .unignored)
        #expect(IssueLifecycle.status(after: .unignored, from: .ignored) == .new)
        #expect(IssueStatus.ignored.isUnresolved == false && IssueStatus.recurring.isUnresolved)
    }
}
