import Foundation
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

@Suite("Issue changes")
struct IssueChangeTests {
    let issue = Issue(id: 1, projectID: ProjectID(1), shortNumber: 1, type: "error", title: "E", culprit: "c", level: "error", status: .new,
                      timesSeen: 10, userCount: 3, firstSeen: Date(timeIntervalSince1970: 1_000), lastSeen: Date(timeIntervalSince1970: 2_000),
                      grouping: IssueGrouping(version: "v", strategy: "s", components: [], primaryHash: "h"))
    let user = UserID(7)

    @Test("resolving records who, when and the note; reopening clears them")
    func resolve() throws {
        let now = Date(timeIntervalSince1970: 4_600)
        let (resolved, activity) = try IssueLifecycle.apply(IssueChange(status: .resolved, resolutionNote: "fixed"), to: issue, by: user, now: now)
        #expect(resolved.status == .resolved)
        #expect(resolved.resolvedBy == user)
        #expect(resolved.resolutionNote == "fixed")
        #expect(resolved.timeToResolve == 3_600)
        #expect(activity == [ActivityDraft(.setStatus, ["status": "resolved", "note": "fixed"])])
        let (reopened, _) = try IssueLifecycle.apply(IssueChange(status: .investigating), to: resolved, by: user, now: now)
        #expect(reopened.resolvedAt == nil)
        #expect(reopened.timeToResolve == nil)
    }

    @Test("ignore conditions count from the issue's totals; assignment is recorded once")
    func ignoreAndAssign() throws {
        let (ignored, activity) = try IssueLifecycle.apply(IssueChange(ignore: .moreEvents(5), assignee: .some(user)), to: issue, by: user, now: Date())
        #expect(ignored.status == .ignored)
        #expect(ignored.ignore == .moreEvents(5, baseline: 10))
        #expect(activity.map(\.kind) == [.setStatus, .assigned])
        #expect(try IssueLifecycle.apply(IssueChange(assignee: .some(user)), to: ignored, by: user, now: Date()).1.isEmpty)
        #expect(try IssueLifecycle.apply(IssueChange(assignee: .some(nil)), to: ignored, by: user, now: Date()).1.map(\.kind) == [.unassigned])
        #expect(throws: IssueTransitionError.self) {
            try IssueLifecycle.apply(IssueChange(status: .resolved, ignore: .forever), to: issue, by: user, now: Date())
        }
    }
}
