import Foundation
import Testing
@testable import TelltaleCore

@Suite("Alerting rules, calendars, grouping and delivery (pure)")
struct AlertingTests {
    static let org = OrganizationID(1)

    static func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(json.utf8))
    }

    static func date(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }

    static func event(level: EventLevel = .error, at: Date, new: Bool = true, tags: [String: String] = [:], environment: String? = "production") -> AlertSignal {
        .event(EventSignal(organizationID: org, projectID: ProjectID(3), projectSlug: "shop", issueID: 12, issueTitle: "PaymentError: card declined",
                           culprit: "checkout", level: level, environment: environment, release: "1.0", tags: tags, isNewIssue: new,
                           isRegression: false, at: at))
    }

    @Test("a rule in the issue's JSON shape decodes; unknown kinds and bad values are refused naming the field")
    func ruleShape() throws {
        let draft = try Self.decode(AlertRuleDraft.self, """
            {"name": "Payments", "match": "all", "conditions": [{"type": "new_issue"}, {"type": "frequency", "count": 5, "window_seconds": 300}],
             "filters": [{"type": "level", "at_least": "error"}, {"type": "tag", "key": "area", "value": "payments"}],
             "calendar": {"id": "4", "inside": true, "severity": "critical"},
             "actions": [{"type": "notify", "channels": ["7"], "users": [2]}], "action_interval_seconds": 600}
            """)
        #expect(draft.match == .all)
        #expect(draft.conditions == [.newIssue, .frequency(count: 5, windowSeconds: 300)])
        #expect(draft.calendar == AlertRuleDraft.CalendarClause(id: BusinessCalendarID(4), inside: true, severity: .critical))
        #expect(draft.actions[0].channels == [ChannelID(7)] && draft.actions[0].users == [UserID(2)])
        let again = try JSONDecoder().decode(AlertRuleDraft.self, from: try JSONEncoder().encode(draft))
        #expect(again == draft)
        for (json, field) in [
            (#"{"name":"x","conditions":[{"type":"moon_phase"}],"actions":[{"channels":["1"]}]}"#, "conditions"),
            (#"{"name":"x","conditions":[{"type":"frequency","count":0,"window_seconds":60}],"actions":[{"channels":["1"]}]}"#, "conditions"),
            (#"{"name":"x","conditions":[{"type":"new_issue"}],"actions":[]}"#, "actions"),
            (#"{"name":"","conditions":[{"type":"new_issue"}],"actions":[{"channels":["1"]}]}"#, "name"),
            (#"{"name":"x","conditions":[{"type":"new_issue"}],"filters":[{"type":"weather"}],"actions":[{"channels":["1"]}]}"#, "filters"),
        ] {
            #expect(throws: ValidationError.self, "\(json)") { try Self.decode(AlertRuleDraft.self, json) }
            do { _ = try Self.decode(AlertRuleDraft.self, json) } catch let error as ValidationError { #expect(error.field == field, "\(json)") } catch {
                Issue.record("\(json): \(error)")
            }
        }
    }

    @Test("a calendar window holds Saturdays in June–September in its own time zone; dates and wrapping ranges")
    func calendar() throws {
        let peak = try Self.decode(CalendarWindow.self, #"{"days": ["sat", "sun"], "from": "06-01", "to": "09-30"}"#)
        let berlin = BusinessCalendar(id: BusinessCalendarID(4), organizationID: Self.org, name: "Peak weekends",
                                      timeZone: TimeZone(identifier: "Europe/Berlin")!, windows: [peak])
        #expect(berlin.contains(Self.date("2026-06-13T10:00:00Z")))  // Saturday
        #expect(!berlin.contains(Self.date("2026-06-16T10:00:00Z")))  // Tuesday
        #expect(!berlin.contains(Self.date("2026-10-03T10:00:00Z")))  // Saturday, after the season
        // Friday 23:30 UTC is already Saturday in Berlin.
        #expect(berlin.contains(Self.date("2026-07-10T23:30:00Z")))
        let nights = try Self.decode(CalendarWindow.self, #"{"start": "22:00", "end": "06:00"}"#)
        let winter = try Self.decode(CalendarWindow.self, #"{"from": "12-15", "to": "01-15"}"#)
        let launch = try Self.decode(CalendarWindow.self, #"{"dates": ["2026-11-27"]}"#)
        let utc = BusinessCalendar(id: BusinessCalendarID(5), organizationID: Self.org, name: "x", timeZone: TimeZone(identifier: "UTC")!, windows: [nights])
        #expect(utc.contains(Self.date("2026-03-03T23:00:00Z")) && utc.contains(Self.date("2026-03-03T05:59:00Z")))
        #expect(!utc.contains(Self.date("2026-03-03T12:00:00Z")))
        #expect(BusinessCalendar(id: BusinessCalendarID(6), organizationID: Self.org, name: "w", timeZone: .gmt, windows: [winter]).contains(Self.date("2027-01-02T12:00:00Z")))
        #expect(BusinessCalendar(id: BusinessCalendarID(7), organizationID: Self.org, name: "l", timeZone: .gmt, windows: [launch]).contains(Self.date("2026-11-27T08:00:00Z")))
        #expect(throws: ValidationError.self) { try Self.decode(CalendarWindow.self, #"{"days": ["caturday"]}"#) }
        #expect(throws: ValidationError.self) { try Self.decode(CalendarWindow.self, #"{"from": "13-01", "to": "01-01"}"#) }
        #expect(throws: ValidationError.self) { try Self.decode(CalendarWindow.self, #"{}"#) }
    }

    @Test("the same error is critical on a peak-season Saturday and high on a Tuesday; calendar-only rules stay quiet outside")
    func severityByCalendar() throws {
        let calendar = BusinessCalendar(id: BusinessCalendarID(4), organizationID: Self.org, name: "Peak weekends", timeZone: .gmt,
                                        windows: [try Self.decode(CalendarWindow.self, #"{"days": ["sat"], "from": "06-01", "to": "09-30"}"#)])
        let raise = AlertRule(id: AlertRuleID(1), organizationID: Self.org, draft: try AlertRuleDraft(
            name: "Errors", conditions: [.level(atLeast: .error)], calendar: .init(id: calendar.id, inside: true, severity: .critical),
            actions: [.init(channels: [ChannelID(1)])]))
        let saturday = RuleEngine.evaluate(raise, Self.event(at: Self.date("2026-06-13T10:00:00Z")), facts: .init(), calendars: [calendar.id: calendar])
        let tuesday = RuleEngine.evaluate(raise, Self.event(at: Self.date("2026-06-16T10:00:00Z")), facts: .init(), calendars: [calendar.id: calendar])
        #expect(saturday?.severity == .critical)
        #expect(tuesday?.severity == .high)
        #expect(saturday?.subject == "issue:12" && saturday?.labels["environment"] == "production")
        var only = raise
        only.draft.calendar = .init(id: calendar.id, inside: true)
        #expect(RuleEngine.evaluate(only, Self.event(at: Self.date("2026-06-16T10:00:00Z")), facts: .init(), calendars: [calendar.id: calendar]) == nil)
        #expect(RuleEngine.evaluate(only, Self.event(at: Self.date("2026-06-13T10:00:00Z")), facts: .init(), calendars: [calendar.id: calendar]) != nil)
    }

    @Test("send on resolved: a resolved issue or a recovered monitor answers the rules about it; roles in actions; default rules")
    func sendResolved() throws {
        let at = Self.date("2026-06-16T10:00:00Z")
        var rule = AlertRule(id: AlertRuleID(5), organizationID: Self.org, draft: try AlertRuleDraft(
            name: "New errors", conditions: [.newIssue], filters: [.level(atLeast: .error), .project([ProjectID(3)])],
            actions: [.init(roles: [.owner])], sendResolved: true))
        let resolved = AlertSignal.issueResolved(IssueResolvedSignal(organizationID: Self.org, projectID: ProjectID(3), issueID: 12,
                                                                     issueTitle: "PaymentError: card declined", at: at))
        let answer = RuleEngine.evaluate(rule, resolved, facts: .init(), calendars: [:])
        #expect(answer?.isResolution == true && answer?.answersEarlierAlert == true && answer?.subject == "issue:12")
        #expect(answer?.title == "Resolved: PaymentError: card declined")
        let otherProject = AlertSignal.issueResolved(IssueResolvedSignal(organizationID: Self.org, projectID: ProjectID(4), issueID: 13, issueTitle: "x", at: at))
        #expect(RuleEngine.evaluate(rule, otherProject, facts: .init(), calendars: [:]) == nil)
        rule.draft.sendResolved = false
        #expect(RuleEngine.evaluate(rule, resolved, facts: .init(), calendars: [:]) == nil)

        let down = AlertRule(id: AlertRuleID(6), organizationID: Self.org, draft: try AlertRuleDraft(
            name: "Down", conditions: [.monitorStatus(.down)], actions: [.init(users: [UserID(1)])], sendResolved: true))
        let recovered = AlertSignal.monitor(MonitorSignal(organizationID: Self.org, projectID: nil, monitorID: MonitorID(9), monitorName: "API",
                                                          component: "Backend", type: .http, from: .down, to: .up, cause: "200 OK",
                                                          duringMaintenance: false, at: at))
        let back = RuleEngine.evaluate(down, recovered, facts: .init(), calendars: [:])
        #expect(back?.isResolution == true && back?.answersEarlierAlert == true && back?.title == "API recovered")
        // An issue rule says nothing about monitors recovering.
        #expect(RuleEngine.evaluate(AlertRule(id: AlertRuleID(5), organizationID: Self.org, draft: try AlertRuleDraft(
            name: "New errors", conditions: [.newIssue], actions: [.init(roles: [.owner])], sendResolved: true)), recovered, facts: .init(), calendars: [:]) == nil)

        let action = try Self.decode(AlertRuleDraft.Action.self, #"{"type": "notify", "roles": ["owner", "admin"]}"#)
        #expect(action.roles == [.owner, .admin])
        #expect(throws: ValidationError.self) { try Self.decode(AlertRuleDraft.Action.self, #"{"type": "notify", "roles": ["king"]}"#) }
        let defaults = try DefaultAlertRules.drafts()
        #expect(defaults.map(\.name) == ["New or regressed error", "Monitor down", "Anything critical"])
        #expect(defaults.allSatisfy { $0.actions == [.init(roles: [.owner])] })
    }

    @Test("conditions any/all, frequency from facts, filters, monitor changes and missed heartbeats")
    func conditionsAndFilters() throws {
        let at = Self.date("2026-06-16T10:00:00Z")
        func rule(_ match: AlertRuleDraft.Match, _ conditions: [AlertCondition], _ filters: [AlertFilter] = []) throws -> AlertRule {
            AlertRule(id: AlertRuleID(2), organizationID: Self.org, draft: try AlertRuleDraft(name: "r", match: match, conditions: conditions,
                                                                                              filters: filters, actions: [.init(users: [UserID(1)])]))
        }
        let often = try rule(.all, [.newIssue, .frequency(count: 5, windowSeconds: 300)])
        #expect(RuleEngine.evaluate(often, Self.event(at: at), facts: SignalFacts(issueEvents: [300: 5]), calendars: [:]) == nil)
        let fired = RuleEngine.evaluate(often, Self.event(at: at), facts: SignalFacts(issueEvents: [300: 6]), calendars: [:])
        #expect(fired?.reason.contains("seen 6 times in 5 min") == true)
        #expect(RuleEngine.evaluate(try rule(.any, [.regression, .level(atLeast: .fatal)]), Self.event(at: at), facts: .init(), calendars: [:]) == nil)
        let payments = try rule(.any, [.newIssue], [.tag(key: "area", value: "payments"), .environment(["production"])])
        #expect(RuleEngine.evaluate(payments, Self.event(at: at, tags: ["area": "payments"]), facts: .init(), calendars: [:]) != nil)
        #expect(RuleEngine.evaluate(payments, Self.event(at: at, tags: ["area": "search"]), facts: .init(), calendars: [:]) == nil)
        #expect(RuleEngine.evaluate(payments, Self.event(at: at, tags: ["area": "payments"], environment: "staging"), facts: .init(), calendars: [:]) == nil)
        func change(_ type: MonitorType, _ from: MonitorStatus, _ to: MonitorStatus, _ cause: String) -> AlertSignal {
            .monitor(MonitorSignal(organizationID: Self.org, projectID: nil, monitorID: MonitorID(9), monitorName: "Checkout API", component: "API",
                                   type: type, from: from, to: to, cause: cause, duringMaintenance: false, at: at))
        }
        let down = try rule(.any, [.monitorStatus(.down)])
        #expect(RuleEngine.evaluate(down, change(.http, .up, .down, "status 500"), facts: .init(), calendars: [:])?.title == "Checkout API is down")
        #expect(RuleEngine.evaluate(down, change(.http, .up, .degraded, "slow"), facts: .init(), calendars: [:]) == nil)
        let recovered = try rule(.any, [.monitorStatus(.up)])
        #expect(RuleEngine.evaluate(recovered, change(.http, .down, .up, "status 200"), facts: .init(), calendars: [:])?.isResolution == true)
        #expect(RuleEngine.evaluate(recovered, change(.http, .pending, .up, "status 200"), facts: .init(), calendars: [:]) == nil)
        let missed = try rule(.any, [.heartbeat(.missed)])
        #expect(RuleEngine.evaluate(missed, change(.heartbeat, .up, .down, "no ping since 03:00"), facts: .init(), calendars: [:]) != nil)
        #expect(RuleEngine.evaluate(missed, change(.heartbeat, .up, .down, "run failed with exit status 2"), facts: .init(), calendars: [:]) == nil)
        #expect(RuleEngine.evaluate(try rule(.any, [.monitorStatus(.down)], [.component(["Web"])]), change(.http, .up, .down, "x"), facts: .init(), calendars: [:]) == nil)
    }

    @Test("grouping waits for companions, then spaces additions; the action interval holds back repeats per subject")
    func grouping() throws {
        let draft = try AlertRuleDraft(name: "g", conditions: [.newIssue], actions: [.init(users: [UserID(1)])], actionIntervalSeconds: 300,
                                       groupWaitSeconds: 30, groupIntervalSeconds: 120)
        let t0 = Self.date("2026-06-16T10:00:00Z")
        let rule = AlertRuleID(1)
        // The first alert of a quiet group waits group_wait; a companion joins the wait.
        let first = AlertGrouping.admit(at: t0, group: AlertGroupState(ruleID: rule), rule: draft)
        #expect(!first.sendNow && first.group.flushAt == t0.addingTimeInterval(30) && first.group.pendingSince == t0)
        let companion = AlertGrouping.admit(at: t0.addingTimeInterval(10), group: first.group, rule: draft)
        #expect(!companion.sendNow && companion.group == first.group)
        // After the flush, an addition waits until group_interval after the last message.
        let sent = AlertGrouping.flushed(first.group, at: t0.addingTimeInterval(30))
        let addition = AlertGrouping.admit(at: t0.addingTimeInterval(40), group: sent, rule: draft)
        #expect(!addition.sendNow && addition.group.flushAt == t0.addingTimeInterval(150))
        // Later than group_interval after the last message: out at once.
        let late = AlertGrouping.admit(at: t0.addingTimeInterval(500), group: sent, rule: draft)
        #expect(late.sendNow && late.group.lastSentAt == t0.addingTimeInterval(500))
        // Quiet for longer than repeat_interval: a fresh group, which waits group_wait again.
        let fresh = AlertGrouping.admit(at: t0.addingTimeInterval(5 * 3_600), group: sent, rule: draft)
        #expect(!fresh.sendNow && fresh.group.flushAt == t0.addingTimeInterval(5 * 3_600 + 30))
        // Without group_wait a quiet group sends at once.
        var immediate = draft
        immediate.groupWaitSeconds = 0
        #expect(AlertGrouping.admit(at: t0, group: AlertGroupState(ruleID: rule), rule: immediate).sendNow)
        #expect(AlertGrouping.isThrottled(lastNotified: t0, now: t0.addingTimeInterval(299), rule: draft))
        #expect(!AlertGrouping.isThrottled(lastNotified: t0, now: t0.addingTimeInterval(300), rule: draft))
        #expect(!AlertGrouping.isThrottled(lastNotified: nil, now: t0, rule: draft))
    }

    @Test("delivery retries 5xx, 429 and silence with growing delays, honours Retry-After, gives up on other 4xx and after the last attempt")
    func delivery() {
        let policy = DeliveryPolicy(maxAttempts: 4, baseDelay: 2, maxDelay: 600)
        let now = Self.date("2026-06-16T10:00:00Z")
        #expect(policy.decide(attempt: 1, status: 204, error: nil, retryAfter: nil, now: now, jitter: 0.5) == .delivered)
        #expect(policy.decide(attempt: 1, status: 503, error: nil, retryAfter: nil, now: now, jitter: 0.5) == .retry(at: now.addingTimeInterval(2), reason: "HTTP 503"))
        #expect(policy.decide(attempt: 3, status: nil, error: "timed out", retryAfter: nil, now: now, jitter: 0.5) == .retry(at: now.addingTimeInterval(8), reason: "timed out"))
        #expect(policy.decide(attempt: 1, status: 429, error: nil, retryAfter: 30, now: now, jitter: 0.5) == .retry(at: now.addingTimeInterval(30), reason: "HTTP 429"))
        #expect(policy.decide(attempt: 1, status: 404, error: nil, retryAfter: nil, now: now, jitter: 0.5) == .failed(reason: "HTTP 404"))
        if case .failed(let reason) = policy.decide(attempt: 4, status: 500, error: nil, retryAfter: nil, now: now, jitter: 0.5) {
            #expect(reason.contains("gave up after 4 attempts"))
        } else { Issue.record("the fourth failure should be final") }
    }

    @Test("channels: settings checked by type, secrets never shown back; silences match labels while they last")
    func channelsAndSilences() throws {
        #expect(throws: ValidationError.self) { try ChannelConfig.make(type: .webhook, to: nil, url: "ftp://x", secret: nil, headers: nil, template: nil, routingKey: nil) }
        #expect(throws: ValidationError.self) { try ChannelConfig.make(type: .email, to: ["not-an-address"], url: nil, secret: nil, headers: nil, template: nil, routingKey: nil) }
        #expect(throws: ValidationError.self) { try ChannelConfig.make(type: .pagerduty, to: nil, url: nil, secret: nil, headers: nil, template: nil, routingKey: "short") }
        let hook = try ChannelConfig.make(type: .webhook, to: nil, url: "https://hooks.example.com/T000/B000/XXXXsecretpath", secret: "whsec-abcdef123456",
                                          headers: ["X-Token": "t0ps3cret"], template: nil, routingKey: nil)
        let shown = hook.redactedConfig.values.joined(separator: " ")
        #expect(!shown.contains("secretpath") && !shown.contains("whsec-abcdef") && !shown.contains("t0ps3cret"))
        let start = Self.date("2026-06-16T10:00:00Z")
        let silence = Silence(id: SilenceID(1), organizationID: Self.org, matchers: [try .init(key: "project", value: "3"), try .init(key: "severity", value: "low", negated: true)],
                              startsAt: start, endsAt: start.addingTimeInterval(3_600), createdBy: nil, comment: "deploy")
        #expect(silence.silences(["project": "3", "severity": "high"], at: start.addingTimeInterval(60)))
        #expect(!silence.silences(["project": "3", "severity": "low"], at: start.addingTimeInterval(60)))
        #expect(!silence.silences(["project": "4", "severity": "high"], at: start.addingTimeInterval(60)))
        #expect(!silence.silences(["project": "3", "severity": "high"], at: start.addingTimeInterval(3_600)))
        #expect(throws: ValidationError.self) { try Silence.Matcher(key: "weather", value: "rain") }
    }
}
