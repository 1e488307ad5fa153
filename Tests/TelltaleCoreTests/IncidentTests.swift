import Foundation
import Testing
import TelltaleCore

@Suite("Incidents: lifecycle, escalation, on-call")
struct IncidentTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static let alice = UserID(1), bob = UserID(2), carol = UserID(3), dave = UserID(4)

    static func policy(_ steps: [EscalationStep], repeat: Int = 0, repeatAfter: Int? = nil, calendar: EscalationPolicyDraft.CalendarSteps? = nil) -> EscalationPolicy {
        EscalationPolicy(id: EscalationPolicyID(1), organizationID: OrganizationID(1),
                         draft: EscalationPolicyDraft(name: "p", steps: steps, repeat: `repeat`, repeatAfterSeconds: repeatAfter, calendar: calendar))
    }

    static let twoSteps = policy([EscalationStep(delaySeconds: 0, targets: [.user(alice)]), EscalationStep(delaySeconds: 300, targets: [.user(bob)])])

    @Test("steps fire at their delays, and nothing fires before")
    func stepTiming() {
        var state = Escalation.start(Self.twoSteps, at: Self.t0, calendars: [:])
        var fired: [EscalationFiring]
        (state, fired) = Escalation.advance(state, policy: Self.twoSteps, now: Self.t0)
        #expect(fired.map(\.targets) == [[.user(Self.alice)]])
        (state, fired) = Escalation.advance(state, policy: Self.twoSteps, now: Self.t0.addingTimeInterval(299))
        #expect(fired.isEmpty)
        #expect(state.dueAt == Self.t0.addingTimeInterval(300))
        (state, fired) = Escalation.advance(state, policy: Self.twoSteps, now: Self.t0.addingTimeInterval(300))
        #expect(fired.map(\.targets) == [[.user(Self.bob)]])
        #expect(state.dueAt == nil)
    }

    @Test("a policy repeats its steps, a round after the other")
    func repeats() {
        let policy = Self.policy([EscalationStep(delaySeconds: 0, targets: [.user(Self.alice)]), EscalationStep(delaySeconds: 60, targets: [.user(Self.bob)])],
                                 repeat: 1, repeatAfter: 120)
        let state = Escalation.start(policy, at: Self.t0, calendars: [:])
        let (end, fired) = Escalation.advance(state, policy: policy, now: Self.t0.addingTimeInterval(1_000))
        #expect(fired.map(\.step) == [0, 1, 0, 1])
        #expect(fired.map(\.round) == [0, 0, 1, 1])
        #expect(fired.map(\.at) == [0, 60, 120, 180].map { Self.t0.addingTimeInterval($0) })
        #expect(end.dueAt == nil)
    }

    @Test("acknowledging stops escalation; a resolved incident cannot be acknowledged; reopening starts over")
    func acknowledgement() throws {
        let opened = Incident(id: IncidentID(1), organizationID: OrganizationID(1), title: "db down", severity: .critical, policyID: Self.twoSteps.id,
                              openedBy: .automatic, openedAt: Self.t0, escalation: Escalation.start(Self.twoSteps, at: Self.t0, calendars: [:]))
        let acknowledged = try IncidentLifecycle.acknowledge(opened, by: .user(Self.alice), at: Self.t0.addingTimeInterval(30))
        #expect(acknowledged.status == .acknowledged)
        #expect(Escalation.advance(acknowledged.escalation, policy: Self.twoSteps, now: Self.t0.addingTimeInterval(3_600)).1.isEmpty)
        #expect(throws: IncidentConflict.self) { try IncidentLifecycle.acknowledge(acknowledged, by: .user(Self.bob), at: Self.t0) }
        let resolved = try IncidentLifecycle.resolve(acknowledged, by: .user(Self.alice), at: Self.t0.addingTimeInterval(60))
        #expect(throws: IncidentConflict.self) { try IncidentLifecycle.acknowledge(resolved, by: .user(Self.bob), at: Self.t0) }
        #expect(throws: IncidentConflict.self) { try IncidentLifecycle.resolve(resolved, by: .user(Self.bob), at: Self.t0) }
        let reopened = try IncidentLifecycle.reopen(resolved, at: Self.t0.addingTimeInterval(600), policy: Self.twoSteps, calendars: [:])
        #expect(reopened.status == .triggered && reopened.acknowledgedAt == nil)
        #expect(reopened.escalation.dueAt == Self.t0.addingTimeInterval(600))
    }

    @Test("a restart in the middle resumes from the stored state")
    func restart() throws {
        var state = Escalation.start(Self.twoSteps, at: Self.t0, calendars: [:])
        state = Escalation.advance(state, policy: Self.twoSteps, now: Self.t0.addingTimeInterval(10)).0
        let stored = try JSONEncoder().encode(state)
        let restored = try JSONDecoder().decode(EscalationState.self, from: stored)
        #expect(restored == state)
        let (_, fired) = Escalation.advance(restored, policy: Self.twoSteps, now: Self.t0.addingTimeInterval(900))
        #expect(fired.map(\.step) == [1])
        #expect(fired.first?.at == Self.t0.addingTimeInterval(300))
    }

    @Test("inside the calendar the calendar's steps apply")
    func calendarSteps() throws {
        // Saturdays (UTC) escalate to bob after 5 minutes instead of 30.
        let saturdays = BusinessCalendar(id: BusinessCalendarID(7), organizationID: OrganizationID(1), name: "weekend", timeZone: TimeZone(identifier: "UTC")!,
                                         windows: [try CalendarWindow(days: [5])])
        let policy = Self.policy([EscalationStep(delaySeconds: 0, targets: [.user(Self.alice)]), EscalationStep(delaySeconds: 1_800, targets: [.user(Self.bob)])],
                                 calendar: .init(id: saturdays.id, steps: [EscalationStep(delaySeconds: 0, targets: [.user(Self.alice)]),
                                                                          EscalationStep(delaySeconds: 300, targets: [.user(Self.bob)])]))
        let saturday = try #require(ISO8601DateFormatter().date(from: "2026-12-05T10:00:00Z"))
        let tuesday = try #require(ISO8601DateFormatter().date(from: "2026-12-08T10:00:00Z"))
        let onSaturday = Escalation.start(policy, at: saturday, calendars: [saturdays.id: saturdays])
        let onTuesday = Escalation.start(policy, at: tuesday, calendars: [saturdays.id: saturdays])
        #expect(onSaturday.calendarSteps && !onTuesday.calendarSteps)
        #expect(Escalation.advance(onSaturday, policy: policy, now: saturday.addingTimeInterval(300)).1.map(\.step) == [0, 1])
        #expect(Escalation.advance(onTuesday, policy: policy, now: tuesday.addingTimeInterval(300)).1.map(\.step) == [0])
    }

    @Test("escalate now fires the next step at once and keeps the later spacing")
    func escalateNow() throws {
        let policy = Self.policy([EscalationStep(delaySeconds: 0, targets: [.user(Self.alice)]), EscalationStep(delaySeconds: 600, targets: [.user(Self.bob)]),
                                  EscalationStep(delaySeconds: 900, targets: [.user(Self.carol)])])
        var state = Escalation.advance(Escalation.start(policy, at: Self.t0, calendars: [:]), policy: policy, now: Self.t0).0
        var fired: [EscalationFiring]
        (state, fired) = try Escalation.escalateNow(state, policy: policy, now: Self.t0.addingTimeInterval(60))
        #expect(fired.map(\.step) == [1])
        #expect(state.dueAt == Self.t0.addingTimeInterval(360))
        (state, fired) = try Escalation.escalateNow(state, policy: policy, now: Self.t0.addingTimeInterval(70))
        #expect(fired.map(\.step) == [2])
        #expect(throws: IncidentConflict.self) { try Escalation.escalateNow(state, policy: policy, now: Self.t0.addingTimeInterval(80)) }
    }

    @Test("a step without targets, decreasing delays and a bad repeat are refused")
    func badPolicies() {
        #expect(throws: ValidationError.self) { try EscalationPolicyDraft(name: "p", steps: [EscalationStep(delaySeconds: 0, targets: [])]).validate() }
        #expect(throws: ValidationError.self) {
            try EscalationPolicyDraft(name: "p", steps: [EscalationStep(delaySeconds: 60, targets: [.user(Self.alice)]),
                                                         EscalationStep(delaySeconds: 0, targets: [.user(Self.bob)])]).validate()
        }
        #expect(throws: ValidationError.self) { try EscalationPolicyDraft(name: "p", steps: [EscalationStep(delaySeconds: 0, targets: [.user(Self.alice)])], repeat: 99).validate() }
    }

    static func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test("a daily rotation hands over at 09:00 local time on both sides of a DST change")
    func dailyAcrossDST() throws {
        let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
        // Daylight saving time starts in Berlin on 2026-03-29 (09:00 is 08:00Z before, 07:00Z after).
        let layer = try RotationLayer(name: "primary", users: [Self.alice, Self.bob], start: Self.date("2026-03-27T08:00:00Z"), length: .daily)
        let schedule = try OnCallScheduleDraft(name: "ops", timeZone: berlin, layers: [layer])
        #expect(schedule.onCall(at: Self.date("2026-03-27T07:59:00Z")) == nil)
        #expect(schedule.onCall(at: Self.date("2026-03-27T08:00:00Z")) == Self.alice)
        #expect(schedule.onCall(at: Self.date("2026-03-28T07:59:00Z")) == Self.alice)
        #expect(schedule.onCall(at: Self.date("2026-03-28T08:00:00Z")) == Self.bob)
        // After the change the hand-off is at 07:00Z: still 09:00 on the wall clock.
        #expect(schedule.onCall(at: Self.date("2026-03-29T06:59:00Z")) == Self.bob)
        #expect(schedule.onCall(at: Self.date("2026-03-29T07:00:00Z")) == Self.alice)
        // And back in October (2026-10-25): 09:00 is 08:00Z again.
        #expect(schedule.onCall(at: Self.date("2026-10-25T07:30:00Z")) != schedule.onCall(at: Self.date("2026-10-25T08:00:00Z")))
    }

    @Test("weekly hand-offs, an upper layer with hours, and an override")
    func layersAndOverrides() throws {
        let utc = try #require(TimeZone(identifier: "UTC"))
        // Monday 2026-11-30 09:00: alice, then bob the next week. Weekdays 18:00–09:00 carol and dave alternate nights.
        let weekly = try RotationLayer(name: "day", users: [Self.alice, Self.bob], start: Self.date("2026-11-30T09:00:00Z"), length: .weekly)
        let nights = try RotationLayer(name: "nights", users: [Self.carol, Self.dave], start: Self.date("2026-11-30T18:00:00Z"), length: .daily,
                                       restrictions: [try CalendarWindow(days: [0, 1, 2, 3, 4], startMinute: 18 * 60, endMinute: 9 * 60)])
        let cover = OnCallOverride(userID: Self.dave, start: Self.date("2026-12-02T12:00:00Z"), end: Self.date("2026-12-02T14:00:00Z"))
        let schedule = try OnCallScheduleDraft(name: "ops", timeZone: utc, layers: [weekly, nights], overrides: [cover])
        #expect(schedule.onCall(at: Self.date("2026-12-01T10:00:00Z")) == Self.alice)
        #expect(schedule.onCall(at: Self.date("2026-12-01T19:00:00Z")) == Self.dave)   // second night
        #expect(schedule.onCall(at: Self.date("2026-11-30T19:00:00Z")) == Self.carol)  // first night
        #expect(schedule.onCall(at: Self.date("2026-12-02T13:00:00Z")) == Self.dave)   // the override
        #expect(schedule.onCall(at: Self.date("2026-12-07T10:00:00Z")) == Self.bob)    // the next week
        #expect(schedule.onCall(at: Self.date("2026-12-05T19:00:00Z")) == Self.alice)  // Saturday evening: no night layer
        let shifts = schedule.shifts(from: Self.date("2026-12-02T00:00:00Z"), to: Self.date("2026-12-03T00:00:00Z"))
        #expect(shifts.map(\.userID) == [Self.dave, Self.alice, Self.dave, Self.alice, Self.carol])
        #expect(schedule.gaps(from: Self.date("2026-11-30T09:00:00Z")).isEmpty)
    }

    @Test("a layer starting later leaves a gap, which is reported")
    func gaps() throws {
        let utc = try #require(TimeZone(identifier: "UTC"))
        let layer = try RotationLayer(name: "day", users: [Self.alice], start: Self.date("2026-12-02T00:00:00Z"), length: .daily,
                                      restrictions: [try CalendarWindow(startMinute: 9 * 60, endMinute: 17 * 60)])
        let schedule = try OnCallScheduleDraft(name: "ops", timeZone: utc, layers: [layer])
        let gaps = schedule.gaps(from: Self.date("2026-12-02T00:00:00Z"), days: 1)
        #expect(gaps.count == 2)
        #expect(gaps.first?.end == Self.date("2026-12-02T09:00:00Z"))
    }
}
