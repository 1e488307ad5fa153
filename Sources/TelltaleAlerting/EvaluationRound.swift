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
    }

    let evaluator: AlertEvaluator
    var settings: [OrganizationID: OrganizationSettings] = [:]
    var outcomes: [AlertOutcome] = []
    /// Alerts to send, by rule, in order.
    var notified: [AlertRuleID: [(AlertOutcome, NotificationMessage.Item)]] = [:]
    /// Subjects notified in this round, by rule, for the action interval.
    var notifiedAt: [AlertRuleID: [String: Date]] = [:]

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
        let loaded = OrganizationSettings(
            slug: organization.slug.rawValue, rules: rules, calendars: calendars,
            silences: rules.isEmpty ? [] : try await repositories.alerts.silences(organizationID: id, activeAt: evaluator.now()),
            channels: rules.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await repositories.alerts.channels(organizationID: id).map { ($0.id, $0) }),
            members: rules.contains { $0.draft.actions.contains { !$0.users.isEmpty || !$0.roles.isEmpty } }
                ? try await repositories.organizations.members(of: id).map { (user: $0.0, role: $0.1) } : [])
        settings[id] = loaded
        return loaded
    }

    mutating func consider(_ signal: AlertSignal) async throws {
        guard let organization = try await organization(signal.organizationID), !organization.rules.isEmpty else { return }
        var facts = SignalFacts()
        if case .event(let event) = signal {
            let conditions = organization.rules.flatMap(\.draft.conditions)
            let windows = Set(conditions.compactMap(\.eventWindow))
            let rate = conditions.contains { if case .errorRate = $0 { true } else { false } }
            if !windows.isEmpty || rate {
                facts = try await evaluator.repositories.alertSignals.facts(for: event, windows: windows, projectRate: rate)
            }
        }
        let now = evaluator.now()
        for rule in organization.rules {
            guard let firing = RuleEngine.evaluate(rule, signal, facts: facts, calendars: organization.calendars) else { continue }
            // "Send on resolved" answers only an alert that went out.
            if firing.answersEarlierAlert, try await lastNotified(rule.id, firing.subject) == nil { continue }
            let status = try await decide(firing, rule: rule, signal: signal, organization: organization, now: now)
            let link = evaluator.link(signal, organizationSlug: organization.slug)
            let outcome = AlertOutcome(organizationID: rule.organizationID, firing: firing, status: status, link: link, at: now)
            outcomes.append(outcome)
            Counter(label: "telltale.alerts.fired", dimensions: [("rule", rule.id.description), ("status", status.rawValue)], factory: evaluator.metrics).increment()
            if status == .notified {
                notifiedAt[rule.id, default: [:]][firing.subject] = now
                notified[rule.id, default: []].append((outcome, NotificationMessage.Item(
                    alertID: "\(rule.id)-\(firing.subject)", subject: firing.subject, title: firing.title, severity: firing.severity,
                    reason: firing.reason, link: link, resolved: firing.isResolution)))
            }
        }
    }

    func lastNotified(_ ruleID: AlertRuleID, _ subject: String) async throws -> Date? {
        if let known = notifiedAt[ruleID]?[subject] { return known }
        return try await evaluator.repositories.alerts.lastNotified(ruleID: ruleID, subjects: [subject])[subject]
    }

    /// Silenced, muted by maintenance, held back by the action interval, or sent.
    func decide(_ firing: AlertFiring, rule: AlertRule, signal: AlertSignal, organization: OrganizationSettings, now: Date) async throws -> AlertStatus {
        if organization.silences.contains(where: { $0.silences(firing.labels, at: now) }) { return .silenced }
        if case .monitor(let change) = signal, change.duringMaintenance { return .muted }
        let last = try await lastNotified(rule.id, firing.subject)
        // A recovery is always sent: it answers an alert that went out.
        if !firing.isResolution, AlertGrouping.isThrottled(lastNotified: last, now: now, rule: rule.draft) { return .throttled }
        return .notified
    }

    /// Stores the round. A rule's alerts of this round go out together, one message per
    /// channel; PagerDuty gets one event per alert, since it deduplicates per subject.
    func commit(cursor: String, from: Int64, to: Int64) async throws {
        var messages: [OutgoingNotification] = []
        for (ruleID, items) in notified {
            guard let rule = settings[items[0].0.organizationID]?.rules.first(where: { $0.id == ruleID }),
                  let organization = settings[rule.organizationID] else { continue }
            func message(_ group: [(AlertOutcome, NotificationMessage.Item)]) -> NotificationMessage {
                NotificationMessage(organization: organization.slug, ruleID: rule.id.description, ruleName: rule.draft.name,
                                    alerts: group.map(\.1), sentAt: evaluator.now())
            }
            let channelIDs = Set(rule.draft.actions.flatMap(\.channels))
            for channelID in channelIDs.sorted() {
                guard let channel = organization.channels[channelID] else { continue }
                let groups = channel.config.type == .pagerduty ? items.map { [$0] } : [items]
                for group in groups {
                    messages.append(OutgoingNotification(organizationID: rule.organizationID, target: .channel(channelID), message: message(group)))
                }
            }
            // People: named users and holders of named roles, as long as they are members.
            let userIDs = Set(rule.draft.actions.flatMap(\.users))
            let roles = Set(rule.draft.actions.flatMap(\.roles))
            for member in organization.members where userIDs.contains(member.user.id) || roles.contains(member.role) {
                messages.append(OutgoingNotification(organizationID: rule.organizationID, target: .inApp(member.user.id), message: message(items)))
                if evaluator.emailsPeople {
                    messages.append(OutgoingNotification(organizationID: rule.organizationID, target: .email(member.user.email), message: message(items)))
                }
            }
        }
        let stored = try await evaluator.repositories.alerts.commitEvaluation(cursor: cursor, from: from, to: to, alerts: outcomes,
                                                                               notifications: messages, now: evaluator.now())
        if stored, messages.contains(where: { if case .inApp = $0.target { false } else { true } }) { evaluator.delivered() }
        if stored, messages.contains(where: { if case .inApp = $0.target { true } else { false } }) { evaluator.inboxChanged() }
        if !stored { evaluator.logger.debug("Another node evaluated these signals first", metadata: ["cursor": "\(cursor)"]) }
    }
}
