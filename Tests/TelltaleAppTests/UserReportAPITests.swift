import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Metrics
import NIOCore
import Testing
import TelltaleAlerting
import TelltaleApp
import TelltaleCore
import TelltaleStore
import TelltaleTestSupport

/// User reports through the widget's endpoint: linked to the error they name, screenshots
/// checked by their bytes, triaged in the queue, a `user_report` rule alerting with the
/// report's priority, and Sentry feedback in the same queue.
extension IssuesAPITests {
    @Test("a widget report links to its error and lands in the queue with its screenshot; triage, filters, rate limit, alert with its priority",
          arguments: TestDatabase.allCases)
    func userReports(database: TestDatabase) async throws {
        try await TestEnvironment.with(database) { environment in
            let app = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                var t = try await setUp(environment)
                t.admin = try await managerToken(environment)
                let rule = try await call(client, .post, "organizations/default/alert-rules/",
                                          #"{"name": "New reports", "conditions": [{"type": "user_report"}], "actions": [{"type": "notify", "roles": ["owner"]}]}"#, auth: t.admin)
                #expect(rule.status == .created, "\(rule.body)")
                let project = try await call(client, .get, "projects/default/default/", auth: t.admin)
                let projectID = try #require((project.object["project"] as? [String: Any])?["id"] as? String, "\(project.body)")

                // The error the customer saw.
                let sent = try await client.execute(uri: "/api/0/projects/default/default/errors/", method: .post,
                                                    headers: [HTTPField.Name("X-Sentry-Auth")!: "Sentry sentry_key=\(t.key)", .contentType: "application/json"],
                                                    body: ByteBuffer(string: #"[{"error_type": "PaymentError", "message": "gateway timeout"}]"#)) { String(buffer: $0.body) }
                let eventID = try #require(((try? JSONSerialization.jsonObject(with: Data(sent.utf8))) as? [String: Any])?["ids"] as? [String], "\(sent)")[0]
                var issueID: String?
                for _ in 0..<100 where issueID == nil {
                    issueID = (try await call(client, .get, "projects/default/default/issues/", auth: t.viewer).list.first?["id"] as? String)
                    if issueID == nil { try await Task.sleep(for: .milliseconds(50)) }
                }

                func post(_ body: String, key: String? = nil, from address: String = "203.0.113.9") async throws -> Reply {
                    try await client.execute(uri: "/api/\(projectID)/user-reports/?sentry_key=\(key ?? t.key)", method: .post,
                                             headers: [.contentType: "application/json", .origin: "https://shop.test", HTTPField.Name("X-Forwarded-For")!: address],
                                             body: ByteBuffer(string: body)) { Reply(status: $0.status, body: String(buffer: $0.body), headers: $0.headers) }
                }
                let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 200)
                let shot = #"{"filename": "../../checkout.png", "data": "data:image/png;base64,\#(Data(png).base64EncodedString())"}"#
                let report = #"{"type": "bug", "priority": "high", "title": "<b>Checkout</b> fails", "description": "I pressed pay <script>alert(1)</script>", "steps": "1. add\n2. pay", "expected": "paid", "actual": "an error", "reporter_type": "customer", "name": "Ana", "email": "ana@example.com", "url": "https://shop.test/checkout", "event_id": "\#(eventID)", "screenshots": [\#(shot)]}"#
                let filed = try await post(report)
                #expect(filed.status == .created && filed.headers[.accessControlAllowOrigin] == "*", "\(filed.status) \(filed.body)")
                let reportID = try #require(filed.object["id"] as? String)
                #expect(filed.object["status"] as? String == "open" && filed.object["issue"] as? String == issueID, "\(filed.body)")

                // Refused, precisely, and with CORS so the widget can say why.
                let forged = try await post(report, key: "0123456789abcdef0123456789abcdef")
                #expect([.unauthorized, .forbidden].contains(forged.status) && forged.headers[.accessControlAllowOrigin] == "*", "\(forged.status)")
                let notImage = try await post(report.replacingOccurrences(of: Data(png).base64EncodedString(), with: Data("<svg onload=alert(1)>".utf8).base64EncodedString()))
                #expect(notImage.status == .badRequest && notImage.body.contains("screenshots[0]") && notImage.body.contains("not a PNG or JPEG"), "\(notImage.body)")
                let badType = try await post(#"{"type": "rant", "title": "x", "description": "y"}"#)
                #expect(badType.status == .badRequest && badType.body.contains("type"), "\(badType.body)")
                let four = try await post(#"{"title": "x", "description": "y", "screenshots": [\#(shot), \#(shot), \#(shot), \#(shot)]}"#)
                #expect(four.status == .badRequest && four.body.contains("at most 3"), "\(four.body)")
                let preflight = try await client.execute(uri: "/api/\(projectID)/user-reports/", method: .options, headers: [.origin: "https://shop.test"]) { $0.headers }
                #expect(preflight[.accessControlAllowOrigin] == "*" && preflight[.accessControlAllowHeaders]?.contains("content-type") == true)
                // Ten per minute from one address; the next waits. The limit counts in whole
                // minutes: 22 tries reach it even when the minute turns during the loop.
                var limited: Reply?
                for _ in 0..<22 where limited == nil {
                    let reply = try await post(#"{"title": "again", "description": "same"}"#)
                    if reply.status == .tooManyRequests { limited = reply }
                }
                #expect(limited?.headers[.retryAfter] != nil && limited?.headers[.accessControlAllowOrigin] == "*", "\(String(describing: limited?.status))")

                // The queue: the report with its linked issue and screenshot; filters.
                let queue = try await call(client, .get, "organizations/default/user-reports/?priority=high", auth: t.viewer)
                #expect(queue.status == .ok && queue.list.count == 1, "\(queue.body)")
                let listed = try #require(queue.list.first)
                #expect(listed["issue"] as? String == issueID && listed["title"] as? String == "<b>Checkout</b> fails" && listed["steps"] as? String == "1. add\n2. pay")
                let shots = try #require(listed["screenshots"] as? [[String: Any]])
                #expect(shots.count == 1 && shots[0]["filename"] as? String == "checkout.png" && shots[0]["content_type"] as? String == "image/png")
                let url = try #require(shots[0]["url"] as? String)
                let image = try await client.execute(uri: url, method: .get, headers: t.viewer) { ($0.status, $0.headers[.contentType], Array(buffer: $0.body)) }
                #expect(image.0 == .ok && image.1 == "image/png" && image.2 == png)
                #expect(try await client.execute(uri: url, method: .get, headers: t.outsider) { $0.status } == .notFound)
                #expect(try await call(client, .get, "organizations/default/user-reports/?status=resolved&priority=high", auth: t.viewer).list.isEmpty)
                #expect(try await call(client, .get, "organizations/default/user-reports/?status=done", auth: t.viewer).status == .badRequest)
                #expect(try await call(client, .get, "organizations/default/user-reports/?issue=\(issueID ?? "")", auth: t.viewer).list.count == 1)

                // Triage: viewers read only; a duplicate names its original; assignment by email.
                #expect([.forbidden, .notFound].contains(try await call(client, .put, "user-reports/\(reportID)/", #"{"status": "closed"}"#, auth: t.viewer).status))
                let noOriginal = try await call(client, .put, "user-reports/\(reportID)/", #"{"status": "duplicate"}"#, auth: t.member)
                #expect(noOriginal.status == .badRequest && noOriginal.body.contains("duplicate_of"), "\(noOriginal.body)")
                let taken = try await call(client, .put, "user-reports/\(reportID)/", #"{"status": "in_progress", "assignee": "member@example.com"}"#, auth: t.member)
                #expect(taken.status == .ok && taken.object["status"] as? String == "in_progress" && taken.object["assignee"] as? String == "member@example.com", "\(taken.body)")
                let resolved = try await call(client, .put, "user-reports/\(reportID)/", #"{"status": "resolved", "resolution": "Fixed in 2.1"}"#, auth: t.member)
                #expect(resolved.status == .ok && resolved.object["resolution"] as? String == "Fixed in 2.1", "\(resolved.body)")

                // Staff file one for a caller; Sentry feedback joins the queue.
                let staff = try await call(client, .post, "organizations/default/user-reports/",
                                           #"{"project": "default", "title": "Phone call: invoices missing", "description": "Owner called", "reporter_type": "owner", "type": "data_issue", "priority": "low"}"#, auth: t.member)
                #expect(staff.status == .created && staff.object["reporter_type"] as? String == "owner" && staff.object["source"] as? String == "api", "\(staff.body)")
                let feedback = #"{"event_id": "\#(eventID)", "name": "Ben", "email": "ben@example.com", "comments": "It broke again"}"#
                #expect(try await postEnvelope(client, t.key, Self.envelope([("user_report", feedback)])) == .ok)
                let all = try await call(client, .get, "organizations/default/user-reports/?status=open,resolved", auth: t.viewer)
                let fromSentry = try #require(all.list.first { $0["source"] as? String == "user_report" }, "\(all.body)")
                #expect(fromSentry["title"] as? String == "It broke again" && fromSentry["issue"] as? String == issueID)

                // The rule alerts on each new report; the customer's with its high priority, linking to the report.
                let store = try await environment.openStore()
                try await store.whileRunning { store in
                    let evaluator = AlertEvaluator(repositories: store.repositories, publicURL: "http://telltale.test", logger: TestDatabase.logger,
                                                   metrics: NOOPMetricsHandler.instance)
                    try await evaluator.evaluate()
                }
                let alerts = try await call(client, .get, "organizations/default/alerts/", auth: t.admin)
                let alert = try #require((alerts.object["alerts"] as? [[String: Any]])?.first { ($0["title"] as? String)?.contains("Checkout") == true }, "\(alerts.body)")
                #expect(alert["severity"] as? String == "high" && (alert["link"] as? String)?.hasSuffix("/user-reports/\(reportID)/") == true, "\(alert)")
            }
        }
    }
}
