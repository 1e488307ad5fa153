import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Metrics
import NIOCore
import Testing
import TelltaleAlerting
import TelltaleApp
import TelltaleCore
import TelltaleIncidents
import TelltaleStore
import TelltaleTestSupport

@Suite("Incidents: API, escalation, one-click links, reports")
struct IncidentsAPITests {
    static func json(_ text: String) -> [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:] }
    static func array(_ text: String) -> [[String: Any]] { (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [[String: Any]] ?? [] }

    /// Runs one escalation pass with a clock `ahead` seconds in the future, as a freshly started
    /// node would (the timers are the stored states), then sends what it queued.
    static func passLater(_ environment: TestEnvironment, ahead: TimeInterval) async throws -> Int {
        let store = try await environment.openStore()
        return try await store.whileRunning { store in
            let links = ActionLinks(publicURL: "http://telltale.test")
            links.setSecret(try await store.instanceSecret())
            let service = IncidentService(repositories: store.repositories, links: links, publicURL: "http://telltale.test", emailsPeople: false,
                                          logger: TestDatabase.logger, metrics: NOOPMetricsHandler.instance, now: { Date().addingTimeInterval(ahead) })
            let changed = try await EscalationService(incidents: service, logger: TestDatabase.logger).pass()
            // Queued at the moved clock's time, so sent by a sender on the same clock.
            let delivery = NotificationDelivery(alerts: store.repositories.alerts, pagerDutyURL: "http://127.0.0.1:9/", logger: TestDatabase.logger,
                                                metrics: NOOPMetricsHandler.instance, now: { Date().addingTimeInterval(ahead) })
            _ = try await delivery.deliverDue()
            await delivery.shutdown()
            return changed
        }
    }

    @Test("an incident escalates to the on-call user, then a channel; a signed link acknowledges it once; forged links change nothing; the report and figures follow",
          arguments: TestDatabase.allCases)
    func escalation(_ database: TestDatabase) async throws {
        let receiver = AlertReceiver()
        try await receiver.withServer(database) { client, tokens, environment, port in
            let members = Self.array(try await client.api("organizations/default/members/", .get, tokens.admin).1)
            let member = try #require(members.first { ($0["email"] as? String) == "member@example.com" }?["id"] as? String)
            let hook = try await client.api("organizations/default/channels/", .post, tokens.admin,
                                      #"{"type":"webhook","name":"Escalation hook","config":{"url":"http://127.0.0.1:\#(port)/oncall"}}"#)
            let hookID = try #require(Self.json(hook.1)["id"] as? String)

            // A schedule with the member on call; only admins edit it, anyone reads who is on call.
            let scheduleBody = #"{"name":"Primary","timezone":"Europe/Berlin","layers":[{"name":"all week","users":[\#(member)],"start":"2026-01-05T09:00:00Z","rotation":"weekly"}]}"#
            #expect(try await client.api("organizations/default/schedules/", .post, tokens.member, scheduleBody).0 == .forbidden)
            let schedule = try await client.api("organizations/default/schedules/", .post, tokens.admin, scheduleBody)
            #expect(schedule.0 == .created, "\(schedule.1)")
            let scheduleID = try #require(Self.json(schedule.1)["id"] as? String)
            let oncall = try await client.api("organizations/default/oncall/?at=2026-12-01T12:00:00Z", .get, tokens.viewer)
            #expect(oncall.1.contains("member@example.com"), "\(oncall.1)")

            // A policy: the on-call person at once, the channel after an hour. A step without targets is refused.
            let empty = try await client.api("organizations/default/escalation-policies/", .post, tokens.admin, #"{"name":"x","steps":[{"delay_seconds":0,"targets":[]}]}"#)
            #expect(empty.0 == .badRequest && empty.1.contains("targets"), "\(empty.1)")
            let policy = try await client.api("organizations/default/escalation-policies/", .post, tokens.admin, #"""
                {"name":"Payments","steps":[{"delay_seconds":0,"targets":[{"type":"schedule","id":\#(scheduleID)}]},
                                            {"delay_seconds":3600,"targets":[{"type":"channel","id":"\#(hookID)"}]}],"repeat":0}
                """#)
            #expect(policy.0 == .created, "\(policy.1)")
            let policyID = try #require(Self.json(policy.1)["id"] as? String)

            // Opened by a member: triggered, and the on-call member is notified in the app at once.
            #expect(try await client.api("organizations/default/incidents/", .post, tokens.viewer, #"{"title":"x"}"#).0 == .forbidden)
            let opened = try await client.api("organizations/default/incidents/", .post, tokens.member,
                                        #"{"title":"Checkout is failing","severity":"critical","escalation_policy":\#(policyID),"auto_resolve":false}"#)
            #expect(opened.0 == .created, "\(opened.1)")
            #expect(Self.json(opened.1)["status"] as? String == "triggered")
            let incidentID = try #require(Self.json(opened.1)["id"] as? String)
            let inbox = Self.array(try await client.api("notifications/", .get, tokens.member).1)
            let notice = try #require(inbox.first { ($0["title"] as? String) == "Checkout is failing" }?["incident"] as? [String: Any])
            let acknowledgeURL = try #require(notice["acknowledge_url"] as? String)
            let detail = try await client.api("incidents/\(incidentID)/", .get, tokens.viewer)
            #expect(detail.1.contains("step 1: notified member"), "\(detail.1)")
            #expect(await receiver.requests(to: "/oncall").isEmpty)

            // An hour later (a node started afresh reads the stored timer): the channel gets the second step.
            #expect(try await Self.passLater(environment, ahead: 3_601) == 1)
            // The server's own delivery service may have claimed it first: wait for the receipt.
            let deadline = ContinuousClock.now + .seconds(10)
            while await receiver.requests(to: "/oncall").isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            let webhook = try #require(await receiver.requests(to: "/oncall").first)
            #expect(webhook.body.contains("Checkout is failing") && webhook.body.contains("acknowledge_url"), "\(webhook.body)")
            #expect(try await Self.passLater(environment, ahead: 7_200) == 0)

            // One-click links: forged and altered ones are refused and change nothing; the real one acknowledges once.
            let path = String(acknowledgeURL[try #require(acknowledgeURL.range(of: "/incident-actions/")).lowerBound...])
            let token = String(path.dropFirst("/incident-actions/".count))
            let forged = token.dropLast(4) + "AAAA"
            let resolveInstead = token.replacingOccurrences(of: ".acknowledge.", with: ".resolve.")
            for bad in [String(forged), resolveInstead, "1.acknowledge.9999999999.x", "garbage"] {
                let status = try await client.execute(uri: "/incident-actions/\(bad)", method: .post, headers: [.accept: "application/json"]) { $0.status }
                #expect(status == .forbidden, "\(bad)")
            }
            #expect(Self.json(try await client.api("incidents/\(incidentID)/", .get, tokens.viewer).1)["status"] as? String == "triggered")
            let page = try await client.execute(uri: path, method: .get) { ($0.status, String(buffer: $0.body)) }
            #expect(page.0 == .ok && page.1.contains("<form method=\"post\">"))
            #expect(Self.json(try await client.api("incidents/\(incidentID)/", .get, tokens.viewer).1)["status"] as? String == "triggered")
            let clicked = try await client.execute(uri: path, method: .post, headers: [.accept: "application/json"]) { ($0.status, String(buffer: $0.body)) }
            #expect(clicked.0 == .ok && clicked.1.contains("acknowledged"), "\(clicked.1)")
            let again = try await client.execute(uri: path, method: .post, headers: [.accept: "application/json"]) { $0.status }
            #expect(again == .conflict)
            #expect(try await client.api("incidents/\(incidentID)/acknowledge", .post, tokens.member).0 == .conflict)
            #expect(try await client.api("incidents/\(incidentID)/escalate", .post, tokens.member).0 == .conflict)

            // Notes, resolution, and the report.
            #expect(try await client.api("incidents/\(incidentID)/notes", .post, tokens.member, #"{"text":""}"#).0 == .badRequest)
            #expect(try await client.api("incidents/\(incidentID)/notes", .post, tokens.member, #"{"text":"Rolled back release 4.2"}"#).0 == .created)
            let resolved = try await client.api("incidents/\(incidentID)/resolve", .post, tokens.member)
            #expect(Self.json(resolved.1)["status"] as? String == "resolved")
            #expect(try await client.api("incidents/\(incidentID)/acknowledge", .post, tokens.member).0 == .conflict)
            #expect(try await client.api("incidents/\(incidentID)/postmortem", .put, tokens.member,
                                   #"{"summary":"Card payments failed","root_cause":"A bad release","action_items":["Add a canary"]}"#).0 == .ok)
            let report = Self.json(try await client.api("incidents/\(incidentID)/report", .get, tokens.viewer).1)
            #expect(report["time_to_acknowledge_seconds"] as? Double != nil)
            #expect(report["time_to_resolve_seconds"] as? Double != nil)
            #expect(report["resolved_by_runbook"] as? Bool == false)
            let timeline = try #require(report["timeline"] as? [[String: Any]]).compactMap { $0["kind"] as? String }
            // (The second step was stamped with the moved clock, an hour ahead: compared without order.)
            #expect(timeline.sorted() == ["acknowledged", "escalated", "escalated", "note", "opened", "resolved"], "\(timeline)")
            let markdown = try await client.execute(uri: "/api/0/incidents/\(incidentID)/report?format=markdown", method: .get,
                                                    headers: [.authorization: "Bearer \(tokens.viewer)"]) { String(buffer: $0.body) }
            #expect(markdown.hasPrefix("# Incident #\(incidentID): Checkout is failing") && markdown.contains("- [ ] Add a canary"))
            // The download is an export in the audit log, by whom and of which incident.
            let exports = try await client.api("organizations/default/audit-log/?action=incidents.report.export", .get, tokens.admin).1
            #expect(exports.contains(#""actor":"viewer@example.com""#) && exports.contains(#""targetID":"\#(incidentID)""#), "\(exports)")

            // An incident that resolves itself once quiet: nobody acknowledges, so it counts as automatic.
            let quiet = try await client.api("organizations/default/incidents/", .post, tokens.member,
                                       #"{"title":"Queue backlog","severity":"low","auto_resolve":true,"quiet_period_seconds":60}"#)
            let quietID = try #require(Self.json(quiet.1)["id"] as? String)
            #expect(try await Self.passLater(environment, ahead: 30) == 0)
            #expect(try await Self.passLater(environment, ahead: 61) == 1)
            let selfResolved = Self.json(try await client.api("incidents/\(quietID)/report", .get, tokens.viewer).1)
            #expect(selfResolved["time_to_acknowledge_seconds"] is NSNull)
            #expect((selfResolved["incident"] as? [String: Any])?["resolved_by"] as? String == "automatic")
            let active = Self.array(try await client.api("organizations/default/incidents/?status=active", .get, tokens.viewer).1)
            #expect(active.isEmpty)
            let stats = Self.json(try await client.api("organizations/default/incidents/stats/?statsPeriod=7d", .get, tokens.viewer).1)
            #expect(stats["auto_resolution_rate"] as? Double == 0.5, "\(stats)")
            #expect(stats["mtta_seconds"] as? Double != nil && stats["mttr_seconds"] as? Double != nil)
            #expect(try await client.api("organizations/default/incidents/stats/?statsPeriod=7x", .get, tokens.viewer).0 == .badRequest)
        }
    }
}

extension IncidentsAPITests {
    @Test("a rule's open_incident action opens one incident per rule and issue, and later alerts attach to it", arguments: TestDatabase.allCases)
    func openedByRule(_ database: TestDatabase) async throws {
        try await TestEnvironment.with(database) { environment in
            let app = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                let tokens = try await MonitorsAPITests.tokens(environment)
                let setup = try await IngestRouteTests().setUp(environment)
                let foreign = try await client.api("organizations/default/alert-rules/", .post, tokens.admin,
                                             #"{"name":"x","conditions":[{"type":"level","at_least":"error"}],"actions":[{"type":"open_incident","escalation_policy":"999"}]}"#)
                #expect(foreign.0 == .badRequest && foreign.1.contains("escalation policy"), "\(foreign.1)")
                let rule = try await client.api("organizations/default/alert-rules/", .post, tokens.admin, #"""
                    {"name":"Payment errors","conditions":[{"type":"level","at_least":"error"}],"action_interval_seconds":0,
                     "actions":[{"type":"open_incident","severity":"critical","auto_resolve":true,"quiet_period_seconds":600}]}
                    """#)
                #expect(rule.0 == .created, "\(rule.1)")
                #expect(Self.json(rule.1)["actions"].map { "\($0)" }?.contains("open_incident") == true)
                for _ in 0..<2 {
                    let event = #"{"event_id":"\#(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())","level":"error","platform":"python","exception":{"values":[{"type":"CardDeclined","value":"card declined"}]}}"#
                    let (status, text, _) = try await IngestRouteTests().post(client, project: setup.projectID, key: setup.key, body: Array(event.utf8), endpoint: "store",
                                                                            extraHeaders: [("Content-Type", "application/json")])
                    #expect(status == .ok, "\(text)")
                    try await AlertingAPITests.evaluateAndDeliver(environment)
                    _ = try await Self.passLater(environment, ahead: 0)
                }
                let opened = Self.array(try await client.api("organizations/default/incidents/?status=active", .get, tokens.viewer).1)
                #expect(opened.count == 1, "\(opened)")
                let id = try #require(opened.first?["id"] as? String)
                let detail = Self.json(try await client.api("incidents/\(id)/", .get, tokens.viewer).1)
                #expect(detail["severity"] as? String == "critical" && (detail["opened_by"] as? String)?.hasPrefix("rule:") == true)
                let links = try #require(detail["links"] as? [String: Any])
                #expect((links["issues"] as? [String])?.count == 1)
                #expect((links["alerts"] as? [String])?.count == 2)
                let kinds = (detail["timeline"] as? [[String: Any]])?.compactMap { $0["kind"] as? String }
                #expect(kinds == ["opened", "attached"], "\(String(describing: kinds))")
            }
        }
    }
}

extension IncidentsAPITests {
    @Test("a runbook calls a service that fails twice, succeeds on the third try, notes and resolves the incident; secrets stay hidden; garbage fails its step",
          arguments: TestDatabase.allCases)
    func runbooks(_ database: TestDatabase) async throws {
        let receiver = AlertReceiver()
        try await receiver.withServer(database, configuration: ["runbooks.retry_delay_ms": "20"]) { client, tokens, environment, port in
            func finished(_ runbook: String) async throws -> [String: Any] {
                let deadline = ContinuousClock.now + .seconds(20)
                while ContinuousClock.now < deadline {
                    if let run = Self.array(try await client.api("runbooks/\(runbook)/runs/", .get, tokens.viewer).1).first,
                       ["succeeded", "failed"].contains(run["status"] as? String ?? "") { return run }
                    try await Task.sleep(for: .milliseconds(50))
                }
                throw CancellationError()
            }
            let base = "http://127.0.0.1:\(port)"
            for (body, field) in [(#"{"name":"x","steps":[{"type":"http","url":"ftp://example.com/x"}]}"#, "steps.url"),
                                  (#"{"name":"x","steps":[{"type":"reboot"}]}"#, "steps.type"),
                                  (#"{"name":"x","steps":[]}"#, "steps")] {
                let refused = try await client.api("organizations/default/runbooks/", .post, tokens.admin, body)
                #expect(refused.0 == .badRequest && refused.1.contains(field), "\(body): \(refused.1)")
            }
            #expect(try await client.api("organizations/default/runbooks/", .post, tokens.member, #"{"name":"x","steps":[{"type":"resolve_incident"}]}"#).0 == .forbidden)
            let created = try await client.api("organizations/default/runbooks/", .post, tokens.admin, #"""
                {"name":"Reconnect the database","steps":[
                  {"type":"http","method":"POST","url":"\#(base)/recover","headers":{"Authorization":"Bearer db-s3cret"},"secret":"sign-s3cret",
                   "body":"{\"incident\": \"{{incident.id}}\", \"title\": \"{{incident.title}}\"}","timeout_seconds":5,"retries":3,"expect_status":[200]},
                  {"type":"note","text":"The database connection was re-established."},
                  {"type":"resolve_incident"}]}
                """#)
            #expect(created.0 == .created, "\(created.1)")
            #expect(!created.1.contains("s3cret") && created.1.contains("********"))
            let runbookID = try #require(Self.json(created.1)["id"] as? String)
            #expect(try await client.api("organizations/default/runbook-templates/", .get, tokens.viewer).1.contains("Circuit breaker reset"))

            // A dry run renders the body from a test payload and calls nothing.
            let dry = try await client.api("runbooks/\(runbookID)/run", .post, tokens.member, #"{"dry_run":true,"payload":{"incident.id":"42","incident.title":"DB down"}}"#)
            #expect(dry.0 == .ok && dry.1.contains(#"\"incident\": \"42\""#), "\(dry.1)")
            #expect(await receiver.requests(to: "/recover").isEmpty)

            let incident = try await client.api("organizations/default/incidents/", .post, tokens.member, #"{"title":"Database unreachable","severity":"critical"}"#)
            let incidentID = try #require(Self.json(incident.1)["id"] as? String)
            await receiver.failNext(2, path: "/recover")
            let queued = try await client.api("runbooks/\(runbookID)/run", .post, tokens.member, #"{"incident":"\#(incidentID)"}"#)
            #expect(queued.0 == .accepted, "\(queued.1)")
            let run = try await finished(runbookID)
            #expect(run["status"] as? String == "succeeded", "\(run)")
            let steps = try #require(run["steps"] as? [[String: Any]])
            #expect(steps.map { $0["attempts"] as? Int } == [3, 1, 1])
            let calls = await receiver.requests(to: "/recover")
            #expect(calls.count == 3)
            let last = try #require(calls.last)
            #expect(last.headers["authorization"] == "Bearer db-s3cret")
            #expect(last.body == #"{"incident": "\#(incidentID)", "title": "Database unreachable"}"#)
            let timestamp = try #require(last.headers["x-telltale-timestamp"])
            #expect(last.headers["x-telltale-signature"] == "sha256=" + WebhookSigning.signature(secret: "sign-s3cret", timestamp: timestamp, body: Array(last.body.utf8)))

            let report = Self.json(try await client.api("incidents/\(incidentID)/report", .get, tokens.viewer).1)
            #expect(report["resolved_by_runbook"] as? Bool == true)
            #expect((report["incident"] as? [String: Any])?["status"] as? String == "resolved")
            #expect((report["markdown"] as? String)?.contains("The database connection was re-established.") == true)
            let listed = Self.array(try await client.api("organizations/default/runbooks/", .get, tokens.viewer).1)
            #expect((listed.first?["runs"] as? [String: Int])?["succeeded"] == 1)
            let stats = Self.json(try await client.api("organizations/default/incidents/stats/?statsPeriod=7d", .get, tokens.viewer).1)
            #expect(stats["auto_resolution_rate"] as? Double == 1.0, "\(stats)")

            // Editing with the masked values keeps the secrets.
            let edited = try await client.api("runbooks/\(runbookID)/", .put, tokens.admin, #"""
                {"name":"Reconnect the database","steps":[{"type":"http","url":"\#(base)/recover","headers":{"Authorization":"********"},"secret":"********","expect_status":[200]}]}
                """#)
            #expect(edited.0 == .ok, "\(edited.1)")
            #expect(try await client.api("runbooks/\(runbookID)/run", .post, tokens.member, "{}").0 == .accepted)
            _ = try await finished(runbookID)
            #expect(await receiver.requests(to: "/recover").last?.headers["authorization"] == "Bearer db-s3cret")

            // A target answering something else than expected fails the step, and the run stops there.
            let garbage = try await client.api("organizations/default/runbooks/", .post, tokens.admin, #"""
                {"name":"Expect health","steps":[{"type":"http","url":"\#(base)/health","expect_body":"healthy","retries":1,"timeout_seconds":2},{"type":"resolve_incident"}]}
                """#)
            let garbageID = try #require(Self.json(garbage.1)["id"] as? String)
            #expect(try await client.api("runbooks/\(garbageID)/run", .post, tokens.member, "{}").0 == .accepted)
            let failed = try await finished(garbageID)
            #expect(failed["status"] as? String == "failed")
            #expect((failed["steps"] as? [[String: Any]])?.count == 1)
            #expect(((failed["steps"] as? [[String: Any]])?.first?["detail"] as? String)?.contains("healthy") == true)
        }
    }
}
