import Foundation
import Testing
@testable import TelltaleAlerting
import TelltaleCore

@Suite("Email: SMTP settings and the message on the wire")
struct EmailTests {
    @Test("smtp.url gives the security, port and credentials; mistakes name the setting")
    func settings() throws {
        let startTLS = try SMTPSettings.parse(url: "smtp://user:p%40ss@mail.example.com:587?starttls=true", from: "Telltale <alerts@example.com>")
        #expect(startTLS.security == .startTLS && startTLS.port == 587 && startTLS.username == "user" && startTLS.password == "p@ss")
        #expect(startTLS.fromAddress == "alerts@example.com" && startTLS.verifyCertificates)
        let implicit = try SMTPSettings.parse(url: "smtps://mail.example.com", from: "alerts@example.com")
        #expect(implicit.security == .tls && implicit.port == 465 && implicit.username == nil)
        let local = try SMTPSettings.parse(url: "smtp://127.0.0.1:2525?verify=false&ca_file=/tmp/ca.pem", from: "a@b.c")
        #expect(local.security == .plain && local.port == 2525 && !local.verifyCertificates && local.caFile == "/tmp/ca.pem")

        func field(_ url: String, from: String = "a@b.c") -> String? {
            do { _ = try SMTPSettings.parse(url: url, from: from); return nil } catch let error as ValidationError { return error.field } catch { return "?" }
        }
        #expect(field("http://mail.example.com") == "smtp.url")
        #expect(field("smtps://h?starttls=true") == "smtp.url")
        #expect(field("smtp://h?starttls=maybe") == "smtp.url")
        // A password is never sent in clear over the network.
        #expect(field("smtp://user:pass@mail.example.com:25") == "smtp.url")
        #expect(field("smtp://h:25", from: "not an address") == "smtp.from")
        #expect(field("smtp://h:25", from: "a@b.c\r\nBcc: x@y.z") == "smtp.from")
        #expect(SMTPSettings.masked("smtp://user:secret@h:587") == "smtp://user:****@h:587")
    }

    @Test("A message is multipart text and HTML in base64, and headers cannot be injected")
    func message() {
        let message = EmailMessage(from: "Telltale <a@b.c>", to: ["x@y.z"], subject: "Zahlung fehlgeschlagen – kritisch\r\nBcc: evil@x.y",
                                   text: "line\n.\nend", html: "<p>hi</p>", date: Date(timeIntervalSince1970: 1_796_000_000), messageID: "id-1@b.c")
        let wire = message.rendered()
        #expect(wire.contains("Subject: =?UTF-8?B?"))
        #expect(!wire.contains("\r\nBcc:"))
        #expect(wire.contains("Content-Type: multipart/alternative; boundary=\"telltale-id1bc\""))
        #expect(wire.contains("Date: Mon, 30 Nov 2026 00:53:20 +0000"))
        #expect(wire.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 998 })
        #expect(wire.contains(Data("line\n.\nend".utf8).base64EncodedString()))
    }

    @Test("An incident's email carries its one-click links, in the text and as buttons; a resolved one does not")
    func incidentLinks() {
        let item = NotificationMessage.Item(alertID: "incident-7", subject: "incident:7", title: "Checkout is failing", severity: .critical,
                                            reason: "not acknowledged", link: "http://t.test/i/7", resolved: false)
        var message = NotificationMessage(organization: "acme", ruleID: "incident-7", ruleName: "Incident #7", alerts: [item], sentAt: Date())
        message.incident = IncidentNotice(id: 7, status: "triggered", step: 0, acknowledgeURL: "http://t.test/incident-actions/7.acknowledge.1.sig&x",
                                          resolveURL: "http://t.test/incident-actions/7.resolve.1.sig")
        let email = EmailRenderer.email(message, to: ["a@b.c"], from: "t@b.c", now: Date())
        #expect(email.text.contains("Acknowledge: http://t.test/incident-actions/7.acknowledge.1.sig&x"))
        #expect(email.html.contains(#"<a href="http://t.test/incident-actions/7.acknowledge.1.sig&amp;x""#) && email.html.contains(">Resolve</a>"))
        message.incident?.status = "resolved"
        #expect(!EmailRenderer.email(message, to: ["a@b.c"], from: "t@b.c", now: Date()).html.contains("Acknowledge"))
    }

    @Test("SMTP answers: 2xx delivered, 5xx final, 4xx and silence retried")
    func decisions() {
        let policy = DeliveryPolicy()
        let now = Date(timeIntervalSince1970: 0)
        #expect(policy.decideSMTP(attempt: 1, code: 250, error: nil, now: now, jitter: 0.5) == .delivered)
        #expect(policy.decideSMTP(attempt: 1, code: 535, error: "AUTH: 535 bad", now: now, jitter: 0.5) == .failed(reason: "AUTH: 535 bad"))
        #expect(policy.decideSMTP(attempt: 1, code: 421, error: "busy", now: now, jitter: 0.5) == .retry(at: Date(timeIntervalSince1970: 2), reason: "busy"))
        #expect(policy.decideSMTP(attempt: 1, code: nil, error: "connection refused", now: now, jitter: 0.5) == .retry(at: Date(timeIntervalSince1970: 2), reason: "connection refused"))
        #expect(policy.decideSMTP(attempt: 8, code: nil, error: "timed out", now: now, jitter: 0.5) == .failed(reason: "timed out (gave up after 8 attempts)"))
    }
}
