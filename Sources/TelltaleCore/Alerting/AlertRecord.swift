public import Foundation

public typealias AlertID = Identifier<AlertRecord>
public typealias NotificationID = Identifier<QueuedNotification>

/// What happened to a firing: sent (or waiting to be), held back, or muted; kept either way
/// (held-back firings once per rule, subject and evaluation round).
public enum AlertStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Waiting in its rule's group for `group_wait` or `group_interval`.
    case pending
    /// In a notification.
    case notified
    /// Held back by the rule's action interval.
    case throttled
    /// Matched a silence.
    case silenced
    /// During a maintenance window of its monitor.
    case muted
}

/// A rule's firing as recorded in the alert history.
public struct AlertRecord: Sendable, Hashable {
    public var id: AlertID
    public var organizationID: OrganizationID
    public var ruleID: AlertRuleID
    public var firing: AlertFiring
    public var status: AlertStatus
    /// The page the alert is about, absolute.
    public var link: String
    public var createdAt: Date

    public init(id: AlertID, organizationID: OrganizationID, ruleID: AlertRuleID, firing: AlertFiring, status: AlertStatus, link: String, createdAt: Date) {
        self.id = id
        self.organizationID = organizationID
        self.ruleID = ruleID
        self.firing = firing
        self.status = status
        self.link = link
        self.createdAt = createdAt
    }
}

/// One message to one channel or user, channel-agnostic: each sender renders it its own way.
/// Also the generic webhook's documented body (`version` 1).
public struct NotificationMessage: Sendable, Hashable, Codable {
    public struct Item: Sendable, Hashable, Codable {
        public var alertID: String
        public var subject: String
        public var title: String
        public var severity: AlertSeverity
        public var reason: String
        public var link: String
        public var resolved: Bool

        public init(alertID: String, subject: String, title: String, severity: AlertSeverity, reason: String, link: String, resolved: Bool) {
            self.alertID = alertID
            self.subject = subject
            self.title = title
            self.severity = severity
            self.reason = reason
            self.link = link
            self.resolved = resolved
        }

        enum CodingKeys: String, CodingKey { case alertID = "alert_id", subject, title, severity, reason, link, resolved }
    }

    public var version: Int
    public var organization: String
    public var ruleID: String
    public var ruleName: String
    public var severity: AlertSeverity
    public var title: String
    public var alerts: [Item]
    public var sentAt: Date
    /// A test message from "send test".
    public var isTest: Bool
    /// Set when the message is about an incident: its state and one-click links.
    public var incident: IncidentNotice?

    public init(organization: String, ruleID: String, ruleName: String, alerts: [Item], sentAt: Date, isTest: Bool = false) {
        version = 1
        self.organization = organization
        self.ruleID = ruleID
        self.ruleName = ruleName
        self.alerts = alerts
        severity = alerts.map(\.severity).max() ?? .info
        title = alerts.count == 1 ? alerts[0].title : "\(alerts.count) alerts from \(ruleName)"
        self.sentAt = sentAt
        self.isTest = isTest
    }

    enum CodingKeys: String, CodingKey {
        case version, organization, ruleID = "rule_id", ruleName = "rule_name", severity, title, alerts, sentAt = "sent_at", isTest = "test", incident
    }

    /// What "send test" sends to a channel.
    public static func test(channel: Channel, organization: String, link: String, sentAt: Date) -> NotificationMessage {
        let item = Item(alertID: "test", subject: "test", title: "Test notification from Telltale", severity: .info,
                        reason: "someone pressed \"send test\" for the channel \(channel.name)", link: link, resolved: false)
        return NotificationMessage(organization: organization, ruleID: "test", ruleName: "Test", alerts: [item], sentAt: sentAt, isTest: true)
    }
}

/// An incident in a notification: where it stands and signed links that acknowledge or
/// resolve it in one click, without signing in.
public struct IncidentNotice: Sendable, Hashable, Codable {
    public var id: Int64
    public var status: String
    public var step: Int?
    public var acknowledgeURL: String
    public var resolveURL: String

    public init(id: Int64, status: String, step: Int?, acknowledgeURL: String, resolveURL: String) {
        self.id = id
        self.status = status
        self.step = step
        self.acknowledgeURL = acknowledgeURL
        self.resolveURL = resolveURL
    }

    enum CodingKeys: String, CodingKey { case id, status, step, acknowledgeURL = "acknowledge_url", resolveURL = "resolve_url" }
}

/// A notification waiting to go out (or being retried), with where it goes.
public struct QueuedNotification: Sendable, Hashable {
    public var id: NotificationID
    public var organizationID: OrganizationID
    public var channel: Channel
    public var message: NotificationMessage
    /// Attempts made so far.
    public var attempts: Int

    public init(id: NotificationID, organizationID: OrganizationID, channel: Channel, message: NotificationMessage, attempts: Int) {
        self.id = id
        self.organizationID = organizationID
        self.channel = channel
        self.message = message
        self.attempts = attempts
    }
}

/// One delivery attempt as the history shows it.
public struct DeliveryAttempt: Sendable, Hashable {
    public var notificationID: NotificationID
    public var attemptedAt: Date
    public var statusCode: Int?
    public var error: String?
    public var milliseconds: Double
    public var decision: DeliveryDecision

    public init(notificationID: NotificationID, attemptedAt: Date, statusCode: Int?, error: String?, milliseconds: Double, decision: DeliveryDecision) {
        self.notificationID = notificationID
        self.attemptedAt = attemptedAt
        self.statusCode = statusCode
        self.error = error
        self.milliseconds = milliseconds
        self.decision = decision
    }
}

/// A notification and its outcome so far, for the history.
public struct NotificationRecord: Sendable, Hashable {
    public var id: NotificationID
    public var channelID: ChannelID?
    public var channelType: ChannelType
    public var title: String
    public var status: String
    public var attempts: Int
    public var lastError: String?
    public var createdAt: Date
    public var deliveredAt: Date?

    public init(id: NotificationID, channelID: ChannelID?, channelType: ChannelType, title: String, status: String, attempts: Int,
                lastError: String?, createdAt: Date, deliveredAt: Date?) {
        self.id = id
        self.channelID = channelID
        self.channelType = channelType
        self.title = title
        self.status = status
        self.attempts = attempts
        self.lastError = lastError
        self.createdAt = createdAt
        self.deliveredAt = deliveredAt
    }
}

/// An alert to store: its firing, what became of it, and for a notified one the messages.
public struct AlertOutcome: Sendable {
    public var organizationID: OrganizationID
    public var firing: AlertFiring
    public var status: AlertStatus
    public var link: String
    public var at: Date

    public init(organizationID: OrganizationID, firing: AlertFiring, status: AlertStatus, link: String, at: Date) {
        self.organizationID = organizationID
        self.firing = firing
        self.status = status
        self.link = link
        self.at = at
    }
}
