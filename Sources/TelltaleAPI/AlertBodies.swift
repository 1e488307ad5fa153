import Foundation
public import Hummingbird
import TelltaleCore

/// A channel as the API shows it: settings with every secret shortened.
public struct ChannelBody: ResponseEncodable, Sendable {
    var id: String
    var type: String
    var name: String
    var config: [String: String]

    init(_ channel: Channel) {
        id = channel.id.description
        type = channel.config.type.rawValue
        name = channel.name
        config = channel.config.redactedConfig
    }
}

/// `{"type": …, "name": …, "config": {…}}` as the issue spells it.
struct ChannelInput: Decodable {
    struct Config: Decodable {
        var to: [String]?
        var url: String?
        var secret: String?
        var headers: [String: String]?
        var template: String?
        var routingKey: String?

        enum CodingKeys: String, CodingKey { case to, url, secret, headers, template, routingKey = "routing_key" }
    }

    var type: String
    var name: String?
    var config: Config?
}

/// A rule: its id and everything it says, in the shape it was given.
public struct RuleBody: ResponseEncodable, Sendable {
    var id: String
    var rule: AlertRuleDraft

    init(_ rule: AlertRule) {
        id = rule.id.description
        self.rule = rule.draft
    }

    enum CodingKeys: String, CodingKey { case id }

    public func encode(to encoder: any Encoder) throws {
        try rule.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
    }
}

public struct CalendarBody: ResponseEncodable, Sendable {
    var id: String
    var name: String
    var timezone: String
    var windows: [CalendarWindow]

    init(_ calendar: BusinessCalendar) {
        id = calendar.id.description
        name = calendar.name
        timezone = calendar.timeZone.identifier
        windows = calendar.windows
    }
}

struct CalendarInput: Decodable {
    var name: String?
    var timezone: String?
    var windows: [CalendarWindow]?
}

public struct SilenceBody: ResponseEncodable, Sendable {
    var id: String
    var matchers: [Silence.Matcher]
    var startsAt: Date
    var endsAt: Date
    var createdBy: String?
    var comment: String
    var active: Bool

    init(_ silence: Silence, now: Date) {
        id = silence.id.description
        matchers = silence.matchers
        startsAt = silence.startsAt
        endsAt = silence.endsAt
        createdBy = silence.createdBy?.description
        comment = silence.comment
        active = silence.isActive(at: now)
    }

    enum CodingKeys: String, CodingKey { case id, matchers, startsAt = "starts_at", endsAt = "ends_at", createdBy = "created_by", comment, active }
}

struct SilenceInput: Decodable {
    var matchers: [Silence.Matcher]?
    var startsAt: Date?
    var endsAt: Date?
    var durationSeconds: Int?
    var comment: String?

    enum CodingKeys: String, CodingKey { case matchers, startsAt = "starts_at", endsAt = "ends_at", durationSeconds = "duration_seconds", comment }
}

/// The alert history: what fired and what became of it, and every notification with its attempts.
public struct AlertHistoryBody: ResponseEncodable, Sendable {
    struct AlertItem: Encodable, Sendable {
        var id: String
        var ruleID: String
        var subject: String
        var status: String
        var severity: String
        var title: String
        var reason: String
        var link: String
        var resolution: Bool
        var createdAt: Date

        enum CodingKeys: String, CodingKey {
            case id, ruleID = "rule_id", subject, status, severity, title, reason, link, resolution, createdAt = "created_at"
        }
    }

    struct AttemptItem: Encodable, Sendable {
        var at: Date
        var statusCode: Int?
        var error: String?
        var durationMs: Double
        var outcome: String

        enum CodingKeys: String, CodingKey { case at, statusCode = "status_code", error, durationMs = "duration_ms", outcome }
    }

    struct NotificationItem: Encodable, Sendable {
        var id: String
        var channelID: String?
        var channelType: String
        var title: String
        var status: String
        var attempts: [AttemptItem]
        var lastError: String?
        var createdAt: Date
        var deliveredAt: Date?

        enum CodingKeys: String, CodingKey {
            case id, channelID = "channel_id", channelType = "channel_type", title, status, attempts, lastError = "last_error",
                 createdAt = "created_at", deliveredAt = "delivered_at"
        }
    }

    var alerts: [AlertItem]
    var notifications: [NotificationItem]
}

extension AlertHistoryBody.AttemptItem {
    init(_ attempt: DeliveryAttempt) {
        at = attempt.attemptedAt
        statusCode = attempt.statusCode
        error = attempt.error
        durationMs = (attempt.milliseconds * 10).rounded() / 10
        outcome = attempt.decision.outcome
    }
}

/// One in-app notification of the caller.
public struct InboxBody: ResponseEncodable, Sendable {
    var id: String
    var organization: String
    var title: String
    var severity: String
    var ruleID: String
    var ruleName: String
    var alerts: [NotificationMessage.Item]
    var createdAt: Date
    var read: Bool
    /// For an incident: its state and one-click links.
    var incident: IncidentNotice?

    init(_ notification: InboxNotification) {
        id = notification.id.description
        organization = notification.message.organization
        title = notification.message.title
        severity = notification.message.severity.rawValue
        ruleID = notification.message.ruleID
        ruleName = notification.message.ruleName
        alerts = notification.message.alerts
        createdAt = notification.createdAt
        read = notification.readAt != nil
        incident = notification.message.incident
    }

    enum CodingKeys: String, CodingKey {
        case id, organization, title, severity, ruleID = "rule_id", ruleName = "rule_name", alerts, createdAt = "created_at", read, incident
    }
}

/// `POST /notifications/read`: the ids to mark, or `all`.
struct MarkReadInput: Decodable {
    var ids: [String]?
    var all: Bool?
}

/// What is left unread.
public struct UnreadBody: ResponseEncodable, Sendable {
    var marked: Int
    var unread: Int
}
