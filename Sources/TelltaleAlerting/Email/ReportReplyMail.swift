public import Foundation
public import TelltaleCore

/// The email a reporter gets when their report is resolved: what they reported and the
/// team's resolution note, text and HTML (every field escaped: reporters write what they like).
public enum ReportReplyMail {
    /// Sends it through the installation's mail server; returns the server's final reply code.
    @discardableResult
    public static func send(_ report: UserReport, organization: String, smtp: SMTPSettings, now: Date) async throws -> Int {
        guard let to = report.draft.email else { return 0 }
        return try await SMTPClient(settings: smtp).send(message(report, organization: organization, to: to, from: smtp.from, now: now))
    }

    static func message(_ report: UserReport, organization: String, to: String, from: String, now: Date) -> EmailMessage {
        let greeting = report.draft.name.map { "Hello \($0)," } ?? "Hello,"
        let note = report.resolution ?? "The team has resolved the problem you reported."
        let text = [greeting, "", "Your report \"\(report.draft.title)\" to \(organization) is resolved.", "", note, "",
                    "You reported: \(report.draft.description)", "", "Thank you for telling us."].joined(separator: "\n")
        let e = EmailRenderer.escape
        let html = """
            <!doctype html><html><body style="font-family:-apple-system,Segoe UI,Roboto,sans-serif;background:#f5f5f4;margin:0;padding:16px">\
            <table role="presentation" style="max-width:600px;margin:0 auto;background:#fff;border-radius:8px;padding:16px"><tr><td>\
            <p>\(e(greeting))</p><p>Your report <strong>\(e(report.draft.title))</strong> to \(e(organization)) is resolved.</p>\
            <p style="white-space:pre-wrap">\(e(note))</p>\
            <p style="color:#4b5563;white-space:pre-wrap">You reported: \(e(report.draft.description))</p>\
            <p>Thank you for telling us.</p></td></tr></table></body></html>
            """
        let domain = SMTPSettings.isAddress(from) ? String(from.split(separator: "@").last ?? "telltale") : "telltale.localhost"
        return EmailMessage(from: from, to: [to], subject: String("Resolved: \(report.draft.title)".prefix(200)), text: text, html: html,
                            date: now, messageID: "\(UUID().uuidString.lowercased())@\(domain)")
    }
}
