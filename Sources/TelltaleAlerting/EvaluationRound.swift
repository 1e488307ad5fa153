import Foundation
import Logging
import Metrics
import TelltaleCore

/// One evaluation round: the organizations' rules, calendars and silences read once, the
/// alerts decided signal by signal, then stored with their notifications in one commit.
struct Round {
    struct OrganizationSettings {
        var slug: String
        var rules: [AlertRule]
        var calendars: [BusinessCalendarID: BusinessCalendar]
        var silences: [Silence]
        var channels: [ChannelID: Channel]
        /// Members and their roles, read when a rule notifies people.
        var members: [(user: User, role: Role)]
        /// People's own contact methods, read with the members.
        var contacts: [UserID: [Channel]] = [:]
    }

    let evaluator: AlertEvaluator
    var settings: [OrganizationID: OrganizationSettings] = [:]
    var outcomes: [AlertOutcome] = []
    /// Alerts to send, by rule, in order.
    var notified: [AlertRuleID: [(AlertOutcome, NotificationMessage.Item)]] = [:]
    /// Subjects notified in this round, by rule, for the action interval.
    var notifiedAt: [AlertRuleID: [String: Date]] = [:]
    /// Grouping states read this round, and those it changed.
    var groups: [AlertRuleID: AlertGroupState] = [:]
    var changedGroups: Set<AlertRuleID> = []
    /// When each rule last notified each subject before this round, as read (`nil`: never).
    var notifiedBefore: [AlertRuleID: [String: Date?]] = [:]
    /// Firings held back (throttled, silenced, muted) already recorded this round: a busy
    /// issue fires its rule with every event, and one history entry per round says it.
    var heldBack: Set<HeldBack> = []
    /// Firings per rule and outcome, counted into the metric once per round.
    var fired: [FiredCount: Int] = [:]

    struct HeldBack: Hashable {
        var rule: AlertRuleID
        var subject: String
        var status: AlertStatus
    }

    struct FiredCount: Hashable {
        var rule: AlertRuleID
        var status: AlertStatus
    }

    init(evaluator: AlertEvaluator) {
        self.evaluator = evaluator
    }

    mutating func organization(_ id: OrganizationID) async throws -> OrganizationSettings? {
        if let known = settings[id] { return known }
        let repositories = evaluator.repositories
        guard let organization = try await repositories.organizations.organization(id: id) else { return nil }
        let rules = try await repositories.alerts.rules(organizationID: id).filter(\.draft.enabled)
        let calendars = rules.contains { $0.draft.calendar != nil }
            ? Dictionary(uniqueKeysWithValues: try await repositories.alerts.calendars(organizationID: id).map { ($0.id, $0) }) : [:]
        let notifiesPeople = rules.contains { $0.draft.actions.contains { !$0.users.isEmpty || !$0.roles.isEmpty } }
        var loaded = OrganizationSettings(
            slug: organization.slug.rawValue, rules: rules, calendars: calendars,
            silences: rules.isEmpty ? [] : try await repositories.alerts.silences(organizationID: id, activeAt: evaluator.now()),
            channels: rules.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await repositories.alerts.channels(organizationID: id).map { ($0.id, $0) }),
            members: notifiesPeople ? try await repositories.organizations.members(of: id).map { (user: $0.0, role: $0.1) } : [])
        if notifiesPeople {
            loaded.contacts = Dictionary(grouping: try await repositories.alerts.contactMethods(organizationID: id, userID: nil)) { $0.ownerUserID ?? UserID(0) }
        }
        settings[id] = loaded
        return loaded
    }

    /// The counts each event of a batch needs, read once for the batch (none when no rule of
    /// the events' organizations has a frequency or rate condition).
    mutating func facts(for batch: [(position: Int64, signal: EventSignal)]) async throws -> [SignalFacts] {
        var conditions: [AlertCondition] = []
        for id in Set(batch.map(\.signal.organizationID)) {
            conditions += try await organization(id)?.rules.flatMap(\.draft.conditions) ?? []
        }
        let windows = Set(conditions.compactMap(\.eventWindow))
        var userThresholds: [Int: Int] = [:]
        for case .userFrequency(let count, let window) in conditions { userThresholds[window] = max(userThresholds[window] ?? 0, count) }
        let rate = conditions.contains { if case .errorRate = $0 { true } else { false } }
        guard !windows.isEmpty || rate else { return Array(repeating: SignalFacts(), count: batch.count) }
        return try await evaluator.repositories.alertSignals.facts(for: batch, windows: windows, userThresholds: userThresholds, projectRate: rate)
    }

    mutating func consider(_ signal: AlertSignal, facts: SignalFacts = SignalFacts()) async throws {
        guard let organization = try await organization(signal.organizationID), !organization.rules.isEmpty else { return }
        let now = evaluator.now()
        // Most rules do not fire: they are checked synchronously, and only those that fire
        // go on to the reads of throttling and grouping.
        for (index, firing) in RuleEngine.firings(organization.rules, signal, facts: facts, calendars: organization.calendars) {
            let rule = organization.rules[index]
            // "Send on resolved" answers only an alert that went out.
            if firing.answersEarlierAlert, try await lastNotified(rule.id, firing.subject) == nil { continue }
            var status = try await decide(firing, rule: rule, signal: signal, organization: organization, now: now)
            // Alerts of a rule firing in one round go out together; otherwise the group's timers decide.
            if status == .notified, notified[rule.id] == nil {
                var group = groups[rule.id]
                if group == nil { group = try await evaluator.repositories.alerts.alertGroup(ruleID: rule.id) }
                guard let group else { continue }
                let admitted = AlertGrouping.admit(at: now, group: group, rule: rule.draft)
                if admitted.group != group { changedGroups.insert(rule.id) }
                groups[rule.id] = admitted.group
                if !admitted.sendNow { status = .pending }
            }
            fired[FiredCount(rule: rule.id, status: status), default: 0] += 1
            if [.throttled, .silenced, .muted].contains(status), !heldBack.insert(HeldBack(rule: rule.id, subject: firing.subject, status: status)).inserted {
                continue
            }
            let link = evaluator.link(signal, organizationSlug: organization.slug)
            let outcome = AlertOutcome(organizationID: rule.organizationID, firing: firing, status: status, link: link, at: now)
            outcomes.append(outcome)
            if status == .notified || status == .pending { notifiedAt[rule.id, default: [:]][firing.subject] = now }
            if status == .notified { notified[rule.id, default: []].append((outcome, Self.item(outcome))) }
        }
    }

    /// Read once per rule and subject in a round: a busy issue fires its rules with every event.
    mutating func lastNotified(_ ruleID: AlertRuleID, _ subject: String) async throws -> Date? {
        if let known = notifiedAt[ruleID]?[subject] { return known }
        if let read = notifiedBefore[ruleID]?[subject] { return read }
        let read = try await evaluator.repositories.alerts.lastNotified(ruleID: ruleID, subjects: [subject])[subject]
        notifiedBefore[ruleID, default: [:]][subject] = .some(read)
        return read
    }

    /// Silenced, muted by maintenance, held back by the action interval, or sent.
    mutating func decide(_ firing: AlertFiring, rule: AlertRule, signal: AlertSignal, organization: OrganizationSettings, now: Date) async throws -> AlertStatus {
        if organization.silences.contains(where: { $0.silences(firing.labels, at: now) }) { return .silenced }
        if case .monitor(let change) = signal, change.duringMaintenance { return .muted }
        let last = try await lastNotified(rule.id, firing.subject)
        // A recovery is always sent: it answers an alert that went out.
        if !firing.isResolution, AlertGrouping.isThrottled(lastNotified: last, now: now, rule: rule.draft) { return .throttled }
        return .notified
    }

    /// Stores the round. A rule's alerts of this round go out together, one message per
    /// channel; PagerDuty gets one event per alert, since it deduplicates per subject.
    static func item(_ alert: AlertOutcome) -> NotificationMessage.Item {
        NotificationMessage.Item(alertID: "\(alert.firing.ruleID)-\(alert.firing.subject)", subject: alert.firing.subject, title: alert.firing.title,
                                 severity: alert.firing.severity, reason: alert.firing.reason, link: alert.link, resolved: alert.firing.isResolution)
    }

    /// A rule's message for its channels (PagerDuty: one per alert, as it deduplicates per
    /// subject) and for the people it names.
    static func messages(rule: AlertRule, organization: OrganizationSettings, items: [NotificationMessage.Item], emailsPeople: Bool, now: Date) -> [OutgoingNotification] {
        func message(_ group: [NotificationMessage.Item]) -> NotificationMessage {
            NotificationMessage(organization: organization.slug, ruleID: rule.id.description, ruleName: rule.draft.name, alerts: group, sentAt: now)
        }
        var messages: [OutgoingNotification] = []
        func send(to channel: Channel) {
            for group in channel.config.type == .pagerduty ? items.map({ [$0] }) : [items] {
                messages.append(OutgoingNotification(organizationID: rule.organizationID, target: .channel(channel.id), message: message(group)))
            }
        }
        for channelID in Set(rule.draft.actions.flatMap(\.channels)).sorted() {
            if let channel = organization.channels[channelID] { send(to: channel) }
        }
        // People: named users and holders of named roles, as long as they are members.
        let userIDs = Set(rule.draft.actions.flatMap(\.users))
        let roles = Set(rule.draft.actions.flatMap(\.roles))
        for member in organization.members where userIDs.contains(member.user.id) || roles.contains(member.role) {
            messages.append(OutgoingNotification(organizationID: rule.organizationID, target: .inApp(member.user.id), message: message(items)))
            for contact in organization.contacts[member.user.id] ?? [] { send(to: contact) }
            if emailsPeople {
                messages.append(OutgoingNotification(organizationID: rule.organizationID, target: .email(member.user.email), message: message(items)))
            }
        }
        return messages
    }

    /// Stores the round: its alerts, the messages of the rules that send now, the groups' timers.
    func commit(cursor: String, from: Int64, to: Int64) async throws {
        var messages: [OutgoingNotification] = []
        for (ruleID, items) in notified {
            guard let rule = settings[items[0].0.organizationID]?.rules.first(where: { $0.id == ruleID }),
                  let organization = settings[rule.organizationID] else { continue }
            messages += Self.messages(rule: rule, organization: organization, items: items.map(\.1), emailsPeople: evaluator.emailsPeople, now: evaluator.now())
        }
        let stored = try await evaluator.repositories.alerts.commitEvaluation(cursor: cursor, from: from, to: to, alerts: outcomes, notifications: messages,
                                                                               groups: changedGroups.compactMap { groups[$0] }, now: evaluator.now())
        guard stored else {
            evaluator.logger.debug("Another node evaluated these signals first", metadata: ["cursor": "\(cursor)"])
            return
        }
        evaluator.announce(messages)
        for (key, count) in fired {
            Counter(label: "telltale.alerts.fired.total", dimensions: [("rule", key.rule.description), ("status", key.status.rawValue)], factory: evaluator.metrics)
                .increment(by: count)
        }
    }
}
