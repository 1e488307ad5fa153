import Foundation
import TelltaleCore

/// A notification as an email: a subject with the severity, a text part and an HTML part
/// with inline styles (mail clients drop style sheets), each alert with its reason and link.
enum EmailRenderer {
    static func email(_ message: NotificationMessage, to: [String], from: String, now: Date) -> EmailMessage {
        let state = message.alerts.allSatisfy(\.resolved) && !message.alerts.isEmpty ? "resolved" : message.severity.rawValue
        let subject = "[Telltale] \(message.isTest ? "test" : state): \(message.title)"
        let domain = SMTPSettings.isAddress(from) ? String(from.split(separator: "@").last ?? "telltale") : "telltale.localhost"
        return EmailMessage(from: from, to: to, subject: String(subject.prefix(200)), text: text(message), html: html(message),
                            date: now, messageID: "\(UUID().uuidString.lowercased())@\(domain)")
    }

    static func text(_ message: NotificationMessage) -> String {
        var lines = [message.title, ""]
        for item in message.alerts {
            lines.append("\(item.resolved ? "RESOLVED" : item.severity.rawValue.uppercased()): \(item.title)")
            lines.append("  Why: \(item.reason)")
            lines.append("  Open: \(item.link)")
            lines.append("")
        }
        if let incident = message.incident, incident.status != IncidentStatus.resolved.rawValue {
            lines.append("Acknowledge: \(incident.acknowledgeURL)")
            lines.append("Resolve: \(incident.resolveURL)")
            lines.append("")
        }
        lines.append("Rule: \(message.ruleName) · Organization: \(message.organization)")
        if message.isTest { lines.append("This is a test message sent from the channel's settings.") }
        return lines.joined(separator: "\n")
    }

    static func html(_ message: NotificationMessage) -> String {
        let rows = message.alerts.map { item in
            let colour = item.resolved ? "#1e7b34" : NotificationRenderer.colour(item.severity)
            return """
            <tr><td style="border-left:4px solid \(colour);padding:8px 12px">\
            <div style="font-size:12px;color:\(colour);font-weight:600;text-transform:uppercase">\(item.resolved ? "resolved" : item.severity.rawValue)</div>\
            <div style="font-size:16px;font-weight:600;margin:2px 0"><a href="\(escape(item.link))" style="color:#1f2937">\(escape(item.title))</a></div>\
            <div style="font-size:14px;color:#4b5563">\(escape(item.reason))</div></td></tr>
            """
        }.joined(separator: "\n<tr><td style=\"height:8px\"></td></tr>\n")
        var buttons = ""
        if let incident = message.incident, incident.status != IncidentStatus.resolved.rawValue {
            let style = "display:inline-block;padding:8px 14px;margin:12px 8px 0 0;border-radius:6px;text-decoration:none;font-weight:600"
            buttons = """
            <tr><td><a href="\(escape(incident.acknowledgeURL))" style="\(style);background:#1f6feb;color:#fff">Acknowledge</a>\
            <a href="\(escape(incident.resolveURL))" style="\(style);border:1px solid #1f6feb;color:#1f6feb">Resolve</a></td></tr>
            """
        }
        return """
        <!doctype html><html><body style="font-family:-apple-system,Segoe UI,Roboto,sans-serif;background:#f5f5f4;margin:0;padding:16px">
        <table role="presentation" style="max-width:600px;margin:0 auto;background:#fff;border-radius:6px;padding:16px;width:100%">
        <tr><td><h1 style="font-size:18px;margin:0 0 12px">\(escape(message.title))</h1></td></tr>
        \(rows)
        \(buttons)
        <tr><td style="font-size:12px;color:#6b7280;padding-top:16px">Rule <strong>\(escape(message.ruleName))</strong> · \(escape(message.organization))\(message.isTest ? " · test message" : "")</td></tr>
        </table></body></html>
        """
    }

    static func escape(_ text: String) -> String {
        NotificationRenderer.escape(text).replacingOccurrences(of: "\"", with: "&quot;")
    }
}
