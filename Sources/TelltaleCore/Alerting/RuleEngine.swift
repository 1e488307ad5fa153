public import Foundation

/// A rule firing for a signal: what an alert records and a notification says.
public struct AlertFiring: Sendable, Hashable {
    public var ruleID: AlertRuleID
    /// What the alert is about (`issue:12`, `monitor:3`): the action interval and PagerDuty's
    /// dedup key are per subject.
    public var subject: String
    public var severity: AlertSeverity
    public var title: String
    /// Which condition held, with its figures.
    public var reason: String
    public var labels: [String: String]
    /// The change undoes an earlier alert (issue resolved, monitor recovered).
    public var isResolution: Bool
    /// Sent only when the rule notified about the subject before ("send on resolved"); an
    /// explicit "monitor recovered" condition is sent regardless.
    public var answersEarlierAlert: Bool

    public init(ruleID: AlertRuleID, subject: String, severity: AlertSeverity, title: String, reason: String, labels: [String: String], isResolution: Bool,
                answersEarlierAlert: Bool = false) {
        self.answersEarlierAlert = answersEarlierAlert
        self.ruleID = ruleID
        self.subject = subject
        self.severity = severity
        self.title = title
        self.reason = reason
        self.labels = labels
        self.isResolution = isResolution
    }
}

/// The pure rule evaluation: filters, calendar, severity, then conditions.
public enum RuleEngine {
    /// The firing of `rule` for `signal`, or `nil` when it does not fire.
    public static func evaluate(_ rule: AlertRule, _ signal: AlertSignal, facts: SignalFacts,
                                calendars: [BusinessCalendarID: BusinessCalendar]) -> AlertFiring? {
        evaluate(rule, signal, traits: SignalTraits(signal), facts: facts, calendars: calendars)
    }

    /// The rules of `rules` that fire for `signal`, by index. Synchronous, so the rules are
    /// read in place: an async caller copied each rule out of its array across suspension points.
    public static func firings(_ rules: [AlertRule], _ signal: AlertSignal, facts: SignalFacts,
                               calendars: [BusinessCalendarID: BusinessCalendar]) -> [(index: Int, firing: AlertFiring)] {
        let traits = SignalTraits(signal)
        var fired: [(index: Int, firing: AlertFiring)] = []
        // Array's subscript hands out a copy of each rule (a retain of every field); the buffer's
        // is a borrow.
        rules.withUnsafeBufferPointer { rules in
            for index in rules.indices {
                if let firing = evaluate(rules[index], signal, traits: traits, facts: facts, calendars: calendars) { fired.append((index, firing)) }
            }
        }
        return fired
    }

    @inline(__always)
    static func evaluate(_ rule: borrowing AlertRule, _ signal: AlertSignal, traits: SignalTraits, facts: SignalFacts,
                         calendars: [BusinessCalendarID: BusinessCalendar]) -> AlertFiring? {
        // Every rule meets every event: the signal and the rule are read in place (loops, not
        // closures, which would copy the signal into their context).
        guard rule.draft.enabled, traits.organizationID == rule.organizationID else { return nil }
        if traits.kind == .issueResolved { return resolution(rule, signal, reason: "the issue was resolved") }
        // A crossed performance threshold concerns only the rule that set it.
        if traits.kind == .detection, traits.detectionKind == .threshold, traits.detectionID != rule.id.rawValue { return nil }
        if traits.kind == .monitor, traits.to == .up, !rule.draft.conditions.contains(.monitorStatus(.up)),
           case .monitor(let change) = signal, let firing = resolution(rule, signal, reason: "recovered: \(change.cause)") {
            return firing
        }
        // Conditions are most rules' selective part and cheaper than filters (a tag filter
        // hashes strings): those that do not depend on severity are checked first.
        var needsSeverity = false, anyHolds = false
        for condition in rule.draft.conditions {
            if case .severity = condition {
                needsSeverity = true
            } else if condition.holds(traits, facts: facts, severity: .info) {
                anyHolds = true
            } else if rule.draft.match == .all {
                return nil
            }
        }
        if rule.draft.match == .any, !anyHolds, !needsSeverity { return nil }
        for filter in rule.draft.filters where !filter.passes(signal) { return nil }
        var severity = rule.draft.severity ?? defaultSeverity(signal)
        if let clause = rule.draft.calendar {
            let inside = calendars[clause.id]?.contains(signal.at) ?? false
            let onItsSide = inside == clause.inside
            if let raised = clause.severity {
                if onItsSide { severity = max(severity, raised) }
            } else if !onItsSide {
                return nil
            }
        }
        var held: [AlertCondition] = []
        for condition in rule.draft.conditions {
            if condition.holds(traits, facts: facts, severity: severity) {
                held.append(condition)
            } else if rule.draft.match == .all {
                return nil
            }
        }
        guard rule.draft.match == .all || !held.isEmpty else { return nil }
        let isRecovery: Bool
        if case .monitor(let change) = signal { isRecovery = change.to == .up } else { isRecovery = false }
        return AlertFiring(ruleID: rule.id, subject: subject(signal), severity: severity, title: title(signal),
                           reason: held.map { describe($0, signal, facts) }.joined(separator: "; "),
                           labels: labels(signal, rule: rule, severity: severity), isResolution: isRecovery)
    }

    /// "Send on resolved": the answer to an earlier alert of a rule whose conditions are about
    /// that kind of subject. Only project, monitor and component filters apply, since an event's
    /// level or environment says nothing about its issue being resolved; whether the rule
    /// notified about the subject before is the evaluator's check.
    static func resolution(_ rule: AlertRule, _ signal: AlertSignal, reason: String) -> AlertFiring? {
        let draft = rule.draft
        guard draft.sendResolved else { return nil }
        let aboutIssues = draft.conditions.contains { condition in
            switch condition {
            case .newIssue, .regression, .frequency, .userFrequency, .errorRate, .level, .severity, .issueSeverity: true
            default: false
            }
        }
        let aboutMonitors = draft.conditions.contains { condition in
            switch condition {
            case .monitorStatus(let status): status != .up
            case .heartbeat, .severity: true
            default: false
            }
        }
        switch signal {
        case .issueResolved: guard aboutIssues else { return nil }
        case .monitor: guard aboutMonitors else { return nil }
        case .event, .detection: return nil
        }
        let structural = draft.filters.filter { filter in
            switch filter {
            case .project, .monitor, .component: true
            default: false
            }
        }
        guard structural.allSatisfy({ $0.passes(signal) }) else { return nil }
        return AlertFiring(ruleID: rule.id, subject: subject(signal), severity: .info, title: title(signal), reason: reason,
                           labels: labels(signal, rule: rule, severity: .info), isResolution: true, answersEarlierAlert: true)
    }

    /// What a signal is about.
    public static func subject(_ signal: AlertSignal) -> String {
        switch signal {
        case .event(let event): "issue:\(event.issueID)"
        case .issueResolved(let resolved): "issue:\(resolved.issueID)"
        case .monitor(let change): "monitor:\(change.monitorID)"
        // A threshold per rule, project and transaction (its title names the transaction).
        case .detection(let detection) where detection.kind == .threshold:
            "threshold:\(detection.detectionID):\(detection.projectID?.description ?? ""):\(detection.title)"
        case .detection(let detection): "\(detection.kind.rawValue):\(detection.detectionID)"
        }
    }

    static func defaultSeverity(_ signal: AlertSignal) -> AlertSeverity {
        switch signal {
        // A classified issue's severity (same names as an alert's); else the event's level.
        case .event(let event): event.issueSeverity.flatMap { AlertSeverity(rawValue: $0.rawValue) } ?? AlertSeverity.of(event.level)
        case .monitor(let change): change.to == .down ? .high : change.to == .degraded ? .medium : .info
        case .issueResolved: .info
        // A spiking issue as serious as it is classified; a project's spike or a pattern: medium.
        case .detection(let detection): detection.issueSeverity.flatMap { AlertSeverity(rawValue: $0.rawValue) } ?? .medium
        }
    }

    static func title(_ signal: AlertSignal) -> String {
        switch signal {
        case .event(let event): event.issueTitle
        case .issueResolved(let resolved): "Resolved: \(resolved.issueTitle)"
        case .monitor(let change):
            change.to == .up ? "\(change.monitorName) recovered" : "\(change.monitorName) is \(change.to.rawValue)"
        case .detection(let detection): detection.title
        }
    }

    /// Labels silences match on: ids as decimal text, tags as `tag:<key>`.
    static func labels(_ signal: AlertSignal, rule: AlertRule, severity: AlertSeverity) -> [String: String] {
        var labels = ["rule": rule.id.description, "severity": severity.rawValue]
        switch signal {
        case .event(let event):
            labels["project"] = event.projectID.description
            labels["issue"] = String(event.issueID)
            labels["level"] = event.level.rawValue
            if let environment = event.environment { labels["environment"] = environment }
            for (key, value) in event.tags { labels["tag:" + key] = value }
        case .monitor(let change):
            labels["monitor"] = change.monitorID.description
            labels["component"] = change.component
            if let project = change.projectID { labels["project"] = project.description }
        case .issueResolved(let resolved):
            labels["project"] = resolved.projectID.description
            labels["issue"] = String(resolved.issueID)
        case .detection(let detection):
            labels["detection"] = detection.kind.rawValue
            if let project = detection.projectID { labels["project"] = project.description }
            if let issue = detection.issueID { labels["issue"] = String(issue) }
        }
        return labels
    }

    static func describe(_ condition: AlertCondition, _ signal: AlertSignal, _ facts: SignalFacts) -> String {
        switch condition {
        case .newIssue: "a new issue"
        case .regression: "a resolved issue came back"
        case .frequency(let count, let window): "seen \(facts.issueEvents[window] ?? 0) times in \(duration(window)) (more than \(count))"
        case .userFrequency(let count, let window): "at least \(facts.issueUsers[window] ?? 0) users in \(duration(window)) (more than \(count))"
        case .errorRate(let perMinute): "\(facts.projectEventsLastMinute) events in the last minute (more than \(perMinute))"
        case .level(let level):
            if case .event(let event) = signal { "level \(event.level.rawValue) (at least \(level.rawValue))" } else { "level at least \(level.rawValue)" }
        case .severity(let severity): "severity at least \(severity.rawValue)"
        case .issueSeverity(let severity):
            if case .event(let event) = signal { "issue severity \(event.issueSeverity?.rawValue ?? "?") (at least \(severity.rawValue))" }
            else { "issue severity at least \(severity.rawValue)" }
        case .monitorStatus(let status):
            if case .monitor(let change) = signal { status == .up ? "recovered after being down" : "\(change.to.rawValue): \(change.cause)" } else { status.rawValue }
        case .heartbeat(let kind):
            if case .monitor(let change) = signal { "run \(change.isMissedRun ? "missed" : "failed"): \(change.cause)" } else { "run \(kind.rawValue)" }
        case .userReport: if case .detection(let detection) = signal { detection.detail } else { "a user report" }
        case .spikeDetected, .patternDetected, .regressionDetected, .performance, .revenueAtRisk, .diskSpaceLow:
            if case .detection(let detection) = signal { detection.detail } else { "a detection" }
        }
    }

    /// `1 h`, `5 min`, `30 s`.
    public static func duration(_ seconds: Int) -> String {
        seconds % 3_600 == 0 ? "\(seconds / 3_600) h" : seconds % 60 == 0 ? "\(seconds / 60) min" : "\(seconds) s"
    }
}

/// Where a rule's group stands: when it last sent, and since when alerts wait in it.
public struct AlertGroupState: Sendable, Hashable {
    public var ruleID: AlertRuleID
    public var lastSentAt: Date?
    /// When the oldest waiting alert arrived; `nil` when none waits.
    public var pendingSince: Date?
    /// When the waiting alerts go out.
    public var flushAt: Date?

    public init(ruleID: AlertRuleID, lastSentAt: Date? = nil, pendingSince: Date? = nil, flushAt: Date? = nil) {
        self.ruleID = ruleID
        self.lastSentAt = lastSentAt
        self.pendingSince = pendingSince
        self.flushAt = flushAt
    }
}

/// Alertmanager's grouping timers for one rule, pure: when the alerts waiting in a group go out.
public enum AlertGrouping {
    /// A new alert of the group: sent now (the group is quiet and `group_wait` is 0, or the last
    /// message is `group_interval` old), or added to the waiting ones. A group whose last message
    /// is older than `repeat_interval` starts afresh and waits `group_wait` for companions.
    public static func admit(at now: Date, group: AlertGroupState, rule: AlertRuleDraft) -> (sendNow: Bool, group: AlertGroupState) {
        var group = group
        if group.pendingSince != nil { return (false, group) }
        let fresh = group.lastSentAt.map { now.timeIntervalSince($0) >= Double(rule.repeatIntervalSeconds) } ?? true
        let due = fresh ? now.addingTimeInterval(Double(rule.groupWaitSeconds))
                        : max(now, group.lastSentAt!.addingTimeInterval(Double(rule.groupIntervalSeconds)))
        if due <= now {
            group.lastSentAt = now
            return (true, group)
        }
        group.pendingSince = now
        group.flushAt = due
        return (false, group)
    }

    /// The group after its waiting alerts went out at `now`.
    public static func flushed(_ group: AlertGroupState, at now: Date) -> AlertGroupState {
        AlertGroupState(ruleID: group.ruleID, lastSentAt: now)
    }

    /// Whether an alert for a subject last notified at `lastNotified` is held back by the
    /// rule's action interval.
    public static func isThrottled(lastNotified: Date?, now: Date, rule: AlertRuleDraft) -> Bool {
        guard let lastNotified, rule.actionIntervalSeconds > 0 else { return false }
        return now.timeIntervalSince(lastNotified) < Double(rule.actionIntervalSeconds)
    }
}
