import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle
import TelltaleCore
import TelltaleHTTP

/// The bell: a person's in-app notifications, marked read one by one or all at once, and a
/// small event stream that keeps the unread count in the header current.
extension Dashboard {
    struct NotificationsView: Sendable {
        struct Item: Sendable {
            var id: String
            var title: String
            var severity: String
            var rule: String
            var organization: String
            var lines: [Line]
            var when: String
            var whenISO: String
            var unread: Bool
        }

        struct Line: Sendable {
            var text: String
            var reason: String
            var link: String?
            var resolved: Bool
        }

        var chrome: Chrome
        var items: [Item]
    }

    func addNotificationRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        router.get("notifications/") { _, context -> Response in
            let principal = try signedIn(context)
            let inbox = try await repositories.alerts.inbox(userID: principal.user.id, limit: 100)
            let chrome = try await chrome(principal, context: context, organization: nil, role: nil, section: .notifications)
            return templates.page("notifications", NotificationsView(chrome: chrome, items: inbox.map(Self.item)))
        }
        router.post("notifications/read") { request, context -> Response in
            let principal = try signedIn(context)
            let (form, _) = try await Form.body(of: request)
            let ids = form.all("id").compactMap(Int64.init).map(InboxNotificationID.init)
            _ = try await repositories.alerts.markRead(userID: principal.user.id, ids: form["all"] == "1" ? nil : ids, now: Date())
            return redirect("/notifications/")
        }
        router.get("notifications/live") { _, context -> Response in
            let principal = try signedIn(context)
            let alerts = repositories.alerts
            let body = ResponseBody { writer in
                var sent = -1
                let wakes = live.changes(.notifications, subjects: [.user(principal.user.id)])
                try await LiveStream.pump(&writer, retryMilliseconds: 5000, wakes: wakes) {
                    let unread = try await alerts.unreadCount(userID: principal.user.id)
                    defer { sent = unread }
                    return unread == sent ? "" : "event: unread\ndata: \(unread)\n\n"
                }
            }
            return Dashboard.eventStream(body)
        }
    }

    static func item(_ notification: InboxNotification) -> NotificationsView.Item {
        let message = notification.message
        return .init(id: notification.id.description, title: message.title, severity: message.severity.rawValue, rule: message.ruleName,
                     organization: message.organization,
                     lines: message.alerts.map { .init(text: $0.title, reason: $0.reason, link: $0.link.isEmpty ? nil : $0.link, resolved: $0.resolved) },
                     when: WebFormat.relative(notification.createdAt), whenISO: WebFormat.iso(notification.createdAt), unread: notification.readAt == nil)
    }
}
