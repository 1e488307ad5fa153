import Foundation
import TelltaleCore

/// The notifications an escalation step sends: to each user (in-app, and email when SMTP is
/// configured), to each channel, and to whoever is on call in each schedule named.
struct IncidentMessages {
    let publicURL: String
    let links: ActionLinks
    let emailsPeople: Bool

    func link(_ incident: Incident, organization: String) -> String {
        "\(publicURL)/organizations/\(organization)/incidents/\(incident.id)/"
    }

    func message(_ incident: Incident, organization: String, reason: String, step: Int?, now: Date) -> NotificationMessage {
        let item = NotificationMessage.Item(alertID: "incident-\(incident.id)", subject: "incident:\(incident.id)", title: incident.title,
                                            severity: AlertSeverity(rawValue: incident.severity.rawValue) ?? .high, reason: reason,
                                            link: link(incident, organization: organization), resolved: incident.status == .resolved)
        var message = NotificationMessage(organization: organization, ruleID: "incident-\(incident.id)", ruleName: "Incident #\(incident.id)",
                                          alerts: [item], sentAt: now)
        message.incident = IncidentNotice(id: incident.id.rawValue, status: incident.status.rawValue, step: step,
                                          acknowledgeURL: links.url(incident.id, .acknowledge, now: now), resolveURL: links.url(incident.id, .resolve, now: now))
        return message
    }

    /// The people a step's targets name at `now`, and the channels.
    static func recipients(_ targets: [EscalationTarget], schedules: [OnCallScheduleID: OnCallSchedule], at now: Date) -> (users: [UserID], channels: [ChannelID]) {
        var users: [UserID] = [], channels: [ChannelID] = []
        for target in targets {
            switch target {
            case .user(let id): if !users.contains(id) { users.append(id) }
            case .channel(let id): if !channels.contains(id) { channels.append(id) }
            case .schedule(let id):
                if let user = schedules[id]?.draft.onCall(at: now), !users.contains(user) { users.append(user) }
            }
        }
        return (users, channels)
    }

    /// The message for channels and for people: in-app, email (with SMTP) and each of their
    /// own contact methods.
    func notifications(_ message: NotificationMessage, organizationID: OrganizationID, users: [User], channels: [ChannelID],
                       contacts: [UserID: [Channel]] = [:]) -> [OutgoingNotification] {
        var out = channels.map { OutgoingNotification(organizationID: organizationID, target: .channel($0), message: message) }
        for user in users {
            out.append(OutgoingNotification(organizationID: organizationID, target: .inApp(user.id), message: message))
            for contact in contacts[user.id] ?? [] { out.append(OutgoingNotification(organizationID: organizationID, target: .channel(contact.id), message: message)) }
            if emailsPeople { out.append(OutgoingNotification(organizationID: organizationID, target: .email(user.email), message: message)) }
        }
        return out
    }
}
