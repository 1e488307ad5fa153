public import Foundation

public typealias InboxNotificationID = Identifier<InboxNotification>

/// Where one message of a round goes: a channel, a person's email, or a person's in-app inbox.
public struct OutgoingNotification: Sendable, Hashable {
    public enum Target: Sendable, Hashable {
        case channel(ChannelID)
        /// A person's address, for rules that notify users or roles while SMTP is configured.
        case email(String)
        case inApp(UserID)
    }

    public var organizationID: OrganizationID
    public var target: Target
    public var message: NotificationMessage

    public init(organizationID: OrganizationID, target: Target, message: NotificationMessage) {
        self.organizationID = organizationID
        self.target = target
        self.message = message
    }
}

/// One in-app notification: the bell's list, read per person.
public struct InboxNotification: Sendable, Hashable {
    public var id: InboxNotificationID
    public var organizationID: OrganizationID
    public var message: NotificationMessage
    public var createdAt: Date
    public var readAt: Date?

    public init(id: InboxNotificationID, organizationID: OrganizationID, message: NotificationMessage, createdAt: Date, readAt: Date?) {
        self.id = id
        self.organizationID = organizationID
        self.message = message
        self.createdAt = createdAt
        self.readAt = readAt
    }
}

/// The rules a new organization starts with, so alerts reach its owners before anyone
/// configures anything: new and regressed issues at level error or above, any monitor going
/// down, and anything critical — to the owners in-app, and by email once SMTP is configured.
public enum DefaultAlertRules {
    public static func drafts() throws -> [AlertRuleDraft] {
        let owners = [AlertRuleDraft.Action(roles: [.owner])]
        return [
            try AlertRuleDraft(name: "New or regressed error", conditions: [.newIssue, .regression], filters: [.level(atLeast: .error)],
                                actions: owners, sendResolved: true),
            try AlertRuleDraft(name: "Monitor down", conditions: [.monitorStatus(.down)], actions: owners, sendResolved: true),
            try AlertRuleDraft(name: "Anything critical", conditions: [.severity(atLeast: .critical)], actions: owners),
        ]
    }
}
