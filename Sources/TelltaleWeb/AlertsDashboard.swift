import Foundation
public import Hummingbird
import Logging
public import TelltaleCore
public import TelltaleHTTP

/// The alerting pages: rules, channels (with "send test"), silences, and the history of what
/// fired and every delivery attempt. Forms build the same shapes the API takes, so the
/// dashboard and scripts are checked by one set of rules.
public struct AlertsDashboard: Sendable {
    let dashboard: Dashboard
    let smtpConfigured: Bool
    /// Sends a test message to a channel now, bypassing the queue.
    let sendTest: @Sendable (Channel, NotificationMessage) async -> DeliveryAttempt

    public init(dashboard: Dashboard, smtpConfigured: Bool, sendTest: @escaping @Sendable (Channel, NotificationMessage) async -> DeliveryAttempt) {
        self.dashboard = dashboard
        self.smtpConfigured = smtpConfigured
        self.sendTest = sendTest
    }

    var alerts: any AlertRepository { dashboard.repositories.alerts }

    public func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        router.get("organizations/:org/alerts/") { _, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .view, section: .alerts)
            return dashboard.templates.page("alerts", try await view(scope))
        }
        addFormRoutes(to: router)
    }

    func view(_ scope: PageScope, message: String? = nil, error: String? = nil) async throws -> AlertsView {
        let id = scope.organization.id
        let channels = try await alerts.channels(organizationID: id)
        let rules = try await alerts.rules(organizationID: id)
        let silences = try await alerts.silences(organizationID: id, activeAt: Date())
        let fired = try await alerts.alerts(organizationID: id, limit: 50)
        var notifications: [AlertsView.NotificationRow] = []
        for record in try await alerts.notifications(organizationID: id, limit: 30) {
            let attempts = try await alerts.attempts(notificationID: record.id)
            notifications.append(.init(
                title: record.title, channel: record.channelID.flatMap { channelID in channels.first { $0.id == channelID }?.name } ?? record.channelType.rawValue,
                type: record.channelType.rawValue, status: record.status, when: WebFormat.relative(record.createdAt), whenISO: WebFormat.iso(record.createdAt),
                lastError: record.lastError, attemptCount: attempts.count,
                attempts: attempts.map { attempt in
                    .init(when: WebFormat.timestamp(attempt.attemptedAt), code: attempt.statusCode.map(String.init) ?? "—", error: attempt.error,
                          milliseconds: String(Int(attempt.milliseconds.rounded())), outcome: Self.outcome(attempt.decision))
                }))
        }
        let ruleNames = Dictionary(uniqueKeysWithValues: rules.map { ($0.id, $0.draft.name) })
        return AlertsView(
            chrome: scope.chrome, orgPath: scope.orgPath, message: message, error: error, smtpConfigured: smtpConfigured,
            rules: rules.map { rule in
                .init(id: rule.id.description, name: rule.draft.name, enabled: rule.draft.enabled,
                      conditions: AlertsView.describe(rule.draft), actions: AlertsView.describe(rule.draft.actions, channels: channels))
            },
            channels: channels.map(AlertsView.ChannelRow.init),
            contactMethods: try await alerts.contactMethods(organizationID: id, userID: scope.principal.user.id).map(AlertsView.ChannelRow.init),
            channelChoices: channels.map { .init(value: $0.id.description, label: "\($0.name) (\($0.config.type.rawValue))") },
            projectChoices: scope.projects.map { .init(value: $0.id.description, label: $0.name) },
            silences: silences.map { silence in
                .init(id: silence.id.description, matchers: silence.matchers.map { "\($0.key)\($0.negated ? "!=" : "=")\($0.value)" }.joined(separator: ", "),
                      ends: WebFormat.relative(silence.endsAt), endsISO: WebFormat.iso(silence.endsAt), comment: silence.comment)
            },
            history: fired.map { alert in
                .init(when: WebFormat.relative(alert.createdAt), whenISO: WebFormat.iso(alert.createdAt), rule: ruleNames[alert.ruleID] ?? "deleted rule",
                      title: alert.firing.title, link: alert.link, status: alert.status.rawValue, severity: alert.firing.severity.rawValue,
                      reason: alert.firing.reason, resolution: alert.firing.isResolution)
            },
            notifications: notifications)
    }

    static func outcome(_ decision: DeliveryDecision) -> String {
        switch decision {
        case .delivered: "delivered"
        case .retry: "retry"
        case .failed: "failed"
        }
    }
}

/// What the alerts page shows.
struct AlertsView: Sendable {
    struct Choice: Sendable { var value: String; var label: String }
    struct RuleRow: Sendable { var id: String; var name: String; var enabled: Bool; var conditions: String; var actions: String }
    struct ChannelRow: Sendable {
        var id: String; var name: String; var type: String; var target: String

        init(_ channel: Channel) {
            id = channel.id.description
            name = channel.name
            type = channel.config.type.rawValue
            target = channel.config.redactedConfig.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: " · ")
        }
    }
    struct SilenceRow: Sendable { var id: String; var matchers: String; var ends: String; var endsISO: String; var comment: String }
    struct AlertRow: Sendable {
        var when: String; var whenISO: String; var rule: String; var title: String; var link: String; var status: String
        var severity: String; var reason: String; var resolution: Bool
    }
    struct AttemptRow: Sendable { var when: String; var code: String; var error: String?; var milliseconds: String; var outcome: String }
    struct NotificationRow: Sendable {
        var title: String; var channel: String; var type: String; var status: String; var when: String; var whenISO: String
        var lastError: String?; var attemptCount: Int; var attempts: [AttemptRow]
    }

    var chrome: Chrome
    var orgPath: String
    var message: String?
    var error: String?
    var smtpConfigured: Bool
    var rules: [RuleRow]
    var channels: [ChannelRow]
    /// The signed-in person's own contact methods.
    var contactMethods: [ChannelRow]
    var channelChoices: [Choice]
    var projectChoices: [Choice]
    var silences: [SilenceRow]
    var history: [AlertRow]
    var notifications: [NotificationRow]

    /// "new issue or regression · level ≥ error · critical on Weekend" in words.
    static func describe(_ draft: AlertRuleDraft) -> String {
        let conditions = draft.conditions.map(describe).joined(separator: draft.match == .all ? " and " : " or ")
        var parts = [conditions]
        parts += draft.filters.map { filter in
            switch filter {
            case .level(let level): "level ≥ \(level.rawValue)"
            case .project(let ids): "projects \(ids.map(\.description).joined(separator: ", "))"
            case .environment(let values): "environment \(values.joined(separator: ", "))"
            case .release(let values): "release \(values.joined(separator: ", "))"
            case .tag(let key, let value): "\(key)=\(value)"
            case .category(let values): "category \(values.joined(separator: ", "))"
            case .businessImpact(let values): "impact \(values.joined(separator: ", "))"
            case .monitor(let ids): "monitors \(ids.map(\.description).joined(separator: ", "))"
            case .component(let values): "component \(values.joined(separator: ", "))"
            }
        }
        if let calendar = draft.calendar {
            parts.append("\(calendar.inside ? "inside" : "outside") calendar \(calendar.id)\(calendar.severity.map { " → \($0.rawValue)" } ?? "")")
        }
        return parts.joined(separator: " · ")
    }

    static func describe(_ condition: AlertCondition) -> String {
        switch condition {
        case .newIssue: "new issue"
        case .regression: "regression"
        case .frequency(let count, let window): "more than \(count) events in \(WebFormat.duration(TimeInterval(window)))"
        case .userFrequency(let count, let window): "more than \(count) users in \(WebFormat.duration(TimeInterval(window)))"
        case .errorRate(let perMinute): "more than \(perMinute) events a minute"
        case .level(let level): "event at level ≥ \(level.rawValue)"
        case .severity(let severity): "severity ≥ \(severity.rawValue)"
        case .issueSeverity(let severity): "issue severity ≥ \(severity.rawValue)"
        case .monitorStatus(let status): status == .up ? "monitor recovered" : "monitor \(status.rawValue)"
        case .heartbeat(let kind): "heartbeat or cron run \(kind == .any ? "missed or failed" : kind.rawValue)"
        case .userReport: "user report"
        case .spikeDetected(let scope): scope == .any ? "a spike detected" : "a spike in \(scope == .issue ? "an issue" : "a project")'s errors"
        case .patternDetected: "a recurring pattern found"
        case .regressionDetected: "a transaction's p95 regressed"
        case .performance(let watch): watch.summary
        case .revenueAtRisk(let amount, let window): "more than \(WebFormat.money(amount)) revenue at risk in \(WebFormat.duration(TimeInterval(window)))"
        case .diskSpaceLow(let bytes): "less than \(ByteCountFormatter.string(fromByteCount: bytes, countStyle: .binary)) free on the database's disk"
        }
    }

    static func describe(_ actions: [AlertRuleDraft.Action], channels: [Channel]) -> String {
        let names = actions.flatMap(\.channels).map { id in channels.first { $0.id == id }?.name ?? "channel \(id)" }
        let roles = actions.flatMap(\.roles).map { "\($0.rawValue)s" }
        let users = actions.flatMap(\.users).map { "user \($0)" }
        return (names + roles + users).joined(separator: ", ")
    }
}
