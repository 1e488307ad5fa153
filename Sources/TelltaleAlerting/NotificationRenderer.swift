import Crypto
import Foundation
import Mustache
import TelltaleCore

/// The webhook signature, for other senders that sign the same way (runbook calls).
public enum WebhookSigning {
    public static func signature(secret: String, timestamp: String, body: [UInt8]) -> String {
        NotificationRenderer.signature(secret: secret, timestamp: timestamp, body: body)
    }
}

/// A request to a receiver: where, what headers, which body.
struct OutgoingRequest: Sendable {
    var url: String
    var headers: [(String, String)]
    var body: [UInt8]
}

/// Renders a message for each kind of receiver. Every message names the rule and the reason,
/// and links back to the issue or monitor.
enum NotificationRenderer {
    static func request(for channel: Channel, _ message: NotificationMessage, pagerDutyURL: String, now: Date) throws -> OutgoingRequest {
        switch channel.config {
        case .webhook(let url, let secret, let headers, let template):
            let body = try template.map { try Array(render(template: $0, message).utf8) } ?? json(message)
            var all: [(String, String)] = [("Content-Type", template == nil ? "application/json" : "text/plain; charset=utf-8")]
            let timestamp = String(Int(now.timeIntervalSince1970))
            all.append(("X-Telltale-Timestamp", timestamp))
            if let secret { all.append(("X-Telltale-Signature", "sha256=" + signature(secret: secret, timestamp: timestamp, body: body))) }
            all += headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            return OutgoingRequest(url: url, headers: all, body: body)
        case .slack(let url):
            return OutgoingRequest(url: url, headers: [("Content-Type", "application/json")], body: try json(slack(message)))
        case .teams(let url):
            return OutgoingRequest(url: url, headers: [("Content-Type", "application/json")], body: try json(teams(message)))
        case .discord(let url):
            return OutgoingRequest(url: url, headers: [("Content-Type", "application/json")], body: try json(discord(message)))
        case .pagerduty(let key):
            return OutgoingRequest(url: pagerDutyURL, headers: [("Content-Type", "application/json")], body: try json(pagerDuty(message, routingKey: key)))
        case .email:
            throw DeliveryError("email is sent over SMTP, not HTTP")
        }
    }

    /// `HMAC-SHA256(secret, "<timestamp>.<body>")` in hex: the receiver recomputes it, and the
    /// timestamp in the signed text stops replays of old bodies.
    static func signature(secret: String, timestamp: String, body: [UInt8]) -> String {
        var signed = Array(timestamp.utf8)
        signed.append(UInt8(ascii: "."))
        signed += body
        let code = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Array(secret.utf8)))
        return Hex.lowercase(Array(code))
    }

    static func json(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .iso8601
        return Array(try encoder.encode(value))
    }

    static func render(template: String, _ message: NotificationMessage) throws -> String {
        let context: [String: Any] = [
            "title": message.title, "severity": message.severity.rawValue, "rule_name": message.ruleName, "rule_id": message.ruleID,
            "organization": message.organization, "test": message.isTest,
            "alerts": message.alerts.map { ["title": $0.title, "severity": $0.severity.rawValue, "reason": $0.reason, "link": $0.link,
                                            "subject": $0.subject, "resolved": $0.resolved] as [String: Any] },
        ]
        return try MustacheTemplate(string: template).render(context)
    }

    static func colour(_ severity: AlertSeverity) -> String {
        switch severity {
        case .critical: "#b3261e"
        case .high: "#e8590c"
        case .medium: "#f2c94c"
        case .low: "#2f80ed"
        case .info: "#6b7280"
        }
    }

    static func lines(_ message: NotificationMessage) -> [String] {
        var lines = message.alerts.map { item in
            "\(item.resolved ? "Resolved" : item.severity.rawValue.capitalized): \(item.title) — \(item.reason) (\(item.link))"
        }
        if let incident = message.incident, incident.status != IncidentStatus.resolved.rawValue {
            lines.append("Acknowledge: \(incident.acknowledgeURL)")
            lines.append("Resolve: \(incident.resolveURL)")
        }
        return lines
    }

    static func slack(_ message: NotificationMessage) -> [String: AnyEncodable] {
        let blocks: [[String: AnyEncodable]] = [
            ["type": AnyEncodable("header"), "text": AnyEncodable(["type": "plain_text", "text": String(message.title.prefix(150))])],
            ["type": AnyEncodable("section"), "text": AnyEncodable(["type": "mrkdwn", "text": message.alerts.map { item in
                "*<\(item.link)|\(escape(item.title))>*\n\(item.severity.rawValue) · \(escape(item.reason))"
            }.joined(separator: "\n\n")])],
            ["type": AnyEncodable("context"), "elements": AnyEncodable([["type": "mrkdwn", "text": "Rule *\(escape(message.ruleName))* · \(message.organization)"]])],
        ]
        return ["text": AnyEncodable(message.title), "attachments": AnyEncodable([["color": AnyEncodable(colour(message.severity)), "blocks": AnyEncodable(blocks)]])]
    }

    static func teams(_ message: NotificationMessage) -> [String: AnyEncodable] {
        [
            "@type": AnyEncodable("MessageCard"), "@context": AnyEncodable("http://schema.org/extensions"),
            "themeColor": AnyEncodable(String(colour(message.severity).dropFirst())), "summary": AnyEncodable(message.title),
            "title": AnyEncodable(message.title), "text": AnyEncodable(lines(message).joined(separator: "\n\n") + "\n\nRule: \(message.ruleName)"),
            "potentialAction": AnyEncodable([["@type": AnyEncodable("OpenUri"), "name": AnyEncodable("Open in Telltale"),
                                              "targets": AnyEncodable([["os": "default", "uri": message.alerts.first?.link ?? ""]])]]),
        ]
    }

    static func discord(_ message: NotificationMessage) -> [String: AnyEncodable] {
        let colour = Int(colour(message.severity).dropFirst(), radix: 16) ?? 0
        return ["content": AnyEncodable(String(message.title.prefix(1900))),
                "embeds": AnyEncodable(message.alerts.prefix(10).map { item in
                    ["title": AnyEncodable(String(item.title.prefix(250))), "url": AnyEncodable(item.link),
                     "description": AnyEncodable("\(item.severity.rawValue) · \(item.reason)\nRule: \(message.ruleName)"), "color": AnyEncodable(colour)]
                })]
    }

    /// Events API v2: one event per alert; the dedup key is the subject, so a recovery resolves
    /// the incident its alert opened.
    static func pagerDuty(_ message: NotificationMessage, routingKey: String) -> [String: AnyEncodable] {
        let item = message.alerts.first
        let severity = switch message.severity { case .critical: "critical"; case .high: "error"; case .medium: "warning"; default: "info" }
        return [
            "routing_key": AnyEncodable(routingKey), "event_action": AnyEncodable(item?.resolved == true ? "resolve" : "trigger"),
            "dedup_key": AnyEncodable("telltale-\(message.organization)-\(item?.subject ?? "test")"),
            "payload": AnyEncodable(["summary": AnyEncodable(String(message.title.prefix(1000))), "source": AnyEncodable("telltale"),
                                     "severity": AnyEncodable(severity),
                                     "custom_details": AnyEncodable(["rule": message.ruleName, "reason": item?.reason ?? ""])]),
            "links": AnyEncodable([["href": item?.link ?? "", "text": "Open in Telltale"]]),
        ]
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}

/// Any encodable value, for JSON bodies built as literals.
struct AnyEncodable: Encodable {
    let encode: (any Encoder) throws -> Void

    init(_ value: some Encodable) { encode = value.encode }

    func encode(to encoder: any Encoder) throws { try encode(encoder) }
}

struct DeliveryError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
