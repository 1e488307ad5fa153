import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Metrics
import NIOCore
import Synchronization
import Testing
import TelltaleAlerting
import TelltaleApp
import TelltaleCore
import TelltaleStore
import TelltaleTestSupport

@Suite("Alerting: rules, channels, silences, delivery")
struct AlertingAPITests {
    static func json(_ text: String) -> [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:] }

    @Test("an error sent to Telltale arrives as a signed webhook and a Slack message; a silence stops the next one and the history says so",
          arguments: TestDatabase.allCases)
    func endToEnd(_ database: TestDatabase) async throws {
        let receiver = AlertReceiver()
        try await receiver.withServer(database) { client, tokens, environment, port in
            let setup = try await IngestRouteTests().setUp(environment)
            func call(_ path: String, _ method: HTTPRequest.Method, _ token: String = tokens.admin, _ body: String? = nil) async throws -> (HTTPResponse.Status, String) {
                try await client.execute(uri: "/api/0/" + path, method: method, headers: [.contentType: "application/json", .authorization: "Bearer \(token)"],
                                         body: body.map { ByteBuffer(string: $0) }) { ($0.status, String(buffer: $0.body)) }
            }
            let base = "http://127.0.0.1:\(port)"
            // Channels: checked by type, secrets never shown back, members may not create them.
            let hook = try await call("organizations/default/channels/", .post, tokens.admin,
                                      #"{"type":"webhook","name":"Ops hook","config":{"url":"\#(base)/hook","secret":"whsec-s3cret-value","headers":{"X-Team":"ops"}}}"#)
            #expect(hook.0 == .created, "\(hook.1)")
            #expect(!hook.1.contains("s3cret"))
            let slack = try await call("organizations/default/channels/", .post, tokens.admin, #"{"type":"slack","name":"Slack","config":{"url":"\#(base)/slack"}}"#)
            #expect(slack.0 == .created)
            #expect(try await call("organizations/default/channels/", .post, tokens.member, #"{"type":"slack","name":"x","config":{"url":"\#(base)/x"}}"#).0 == .forbidden)
            for (body, field) in [(#"{"type":"webhook","name":"x","config":{"url":"ftp://example.com"}}"#, "config.url"),
                                  (#"{"type":"email","name":"x","config":{"to":["a@b.c"]}}"#, "config.to"),
                                  (#"{"type":"pagerduty","name":"x","config":{"routing_key":"short"}}"#, "config.routing_key")] {
                let refused = try await call("organizations/default/channels/", .post, tokens.admin, body)
                #expect(refused.0 == .badRequest && refused.1.contains(field), "\(body): \(refused.1)")
            }
            let hookID = try #require(Self.json(hook.1)["id"] as? String)
            let slackID = try #require(Self.json(slack.1)["id"] as? String)
            // A rule in the issue's shape; an unknown condition or a foreign channel is a 400 naming the field.
            let rule = try await call("organizations/default/alert-rules/", .post, tokens.admin, #"""
                {"name":"New errors","match":"all","conditions":[{"type":"new_issue"}],"filters":[{"type":"level","at_least":"error"}],
                 "actions":[{"type":"notify","channels":["\#(hookID)","\#(slackID)"]}],"action_interval_seconds":300}
                """#)
            #expect(rule.0 == .created, "\(rule.1)")
            #expect(Self.json(rule.1)["conditions"] as? [[String: Any]] != nil)
            let unknown = try await call("organizations/default/alert-rules/", .post, tokens.admin,
                                         #"{"name":"x","conditions":[{"type":"moon_phase"}],"actions":[{"channels":["\#(hookID)"]}]}"#)
            #expect(unknown.0 == .badRequest && unknown.1.contains("conditions"), "\(unknown.1)")
            let foreign = try await call("organizations/default/alert-rules/", .post, tokens.admin,
                                         #"{"name":"x","conditions":[{"type":"new_issue"}],"actions":[{"channels":["999"]}]}"#)
            #expect(foreign.0 == .badRequest && foreign.1.contains("actions"), "\(foreign.1)")
            #expect(try await call("organizations/default/alert-rules/", .get, tokens.viewer).1.contains("New errors"))

            // An error arrives: one alert, a signed webhook and a Slack message.
            func sendError(_ type: String) async throws {
                let event = #"{"event_id":"\#(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())","level":"error","platform":"python","exception":{"values":[{"type":"\#(type)","value":"card declined"}]}}"#
                let (status, text, _) = try await IngestRouteTests().post(client, project: setup.projectID, key: setup.key, body: Array(event.utf8), endpoint: "store",
                                                                        extraHeaders: [("Content-Type", "application/json")])
                #expect(status == .ok, "\(text)")
            }
            try await sendError("PaymentError")
            try await Self.evaluateAndDeliver(environment)
            // The server's own services may have taken the work first; wait for the receipt, not for a timer.
            let deadline = ContinuousClock.now + .seconds(10)
            while await !receiver.hasRequests(to: ["/hook", "/slack"]), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            let webhook = try #require(await receiver.requests(to: "/hook").first)
            let timestamp = try #require(webhook.headers["x-telltale-timestamp"])
            let expected = HMAC<SHA256>.authenticationCode(for: Array("\(timestamp).\(webhook.body)".utf8), using: SymmetricKey(data: Array("whsec-s3cret-value".utf8)))
                .map { String(format: "%02x", $0) }.joined()
            #expect(webhook.headers["x-telltale-signature"] == "sha256=" + expected)
            #expect(webhook.headers["x-team"] == "ops")
            let payload = Self.json(webhook.body)
            #expect(payload["version"] as? Int == 1 && payload["rule_name"] as? String == "New errors")
            let item = try #require((payload["alerts"] as? [[String: Any]])?.first)
            #expect((item["title"] as? String)?.contains("PaymentError") == true && item["reason"] as? String == "a new issue")
            #expect((item["link"] as? String)?.contains("/organizations/default/issues/") == true)
            #expect(try #require(await receiver.requests(to: "/slack").first).body.contains("attachments"))

            // A silence on the project: the next new error is recorded as silenced, nothing is sent.
            let silence = try await call("organizations/default/silences/", .post, tokens.member,
                                         #"{"matchers":[{"key":"project","value":"\#(setup.projectID)"}],"duration_seconds":3600,"comment":"deploy"}"#)
            #expect(silence.0 == .created, "\(silence.1)")
            #expect(try await call("organizations/default/silences/", .post, tokens.viewer, #"{"matchers":[{"key":"project","value":"1"}],"duration_seconds":60}"#).0 == .forbidden)
            try await sendError("StockError")
            try await Self.evaluateAndDeliver(environment)
            var history = Self.json(try await call("organizations/default/alerts/", .get, tokens.viewer).1)
            // The default rules of the organization fire too; this rule's alerts are the ones checked.
            let ruleID = try #require(Self.json(rule.1)["id"] as? String)
            func ruleAlerts() -> [[String: Any]] { ((history["alerts"] as? [[String: Any]]) ?? []).filter { $0["rule_id"] as? String == ruleID } }
            while ruleAlerts().count < 2, ContinuousClock.now < deadline + .seconds(10) {
                try await Task.sleep(for: .milliseconds(20))
                history = Self.json(try await call("organizations/default/alerts/", .get, tokens.viewer).1)
            }
            let statuses = ruleAlerts().compactMap { $0["status"] as? String }
            #expect(statuses == ["silenced", "notified"])
            #expect(await receiver.requests(to: "/hook").count == 1)
            let notifications = (history["notifications"] as? [[String: Any]]) ?? []
            #expect(notifications.count == 2 && notifications.allSatisfy { $0["status"] as? String == "delivered" })
            #expect(((notifications.first?["attempts"] as? [[String: Any]])?.first?["status_code"] as? Int) == 200)

            // "Send test" answers with the attempt.
            let test = try await call("channels/\(slackID)/test", .post, tokens.admin)
            #expect(test.0 == .ok && Self.json(test.1)["outcome"] as? String == "delivered", "\(test.1)")
        }
    }

    /// Runs one evaluation round and one delivery pass now, on a store of the test's own (the
    /// server's services may also run: positions move by compare-and-set, claims hold leases).
    @Test("frequency and error-rate thresholds fire on the event that crosses them, counted once per batch", arguments: TestDatabase.allCases)
    func thresholds(_ database: TestDatabase) async throws {
        try await TestEnvironment.with(database) { environment in
            let app = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                let tokens = try await MonitorsAPITests.tokens(environment)
                let setup = try await IngestRouteTests().setUp(environment)
                func call(_ path: String, _ method: HTTPRequest.Method, _ body: String? = nil) async throws -> (HTTPResponse.Status, String) {
                    try await client.execute(uri: "/api/0/" + path, method: method, headers: [.contentType: "application/json", .authorization: "Bearer \(tokens.admin)"],
                                             body: body.map { ByteBuffer(string: $0) }) { ($0.status, String(buffer: $0.body)) }
                }
                let often = try await call("organizations/default/alert-rules/", .post, #"""
                    {"name":"Often","conditions":[{"type":"frequency","count":2,"window_seconds":300}],"actions":[{"type":"notify","roles":["owner"]}]}
                    """#)
                let busy = try await call("organizations/default/alert-rules/", .post, #"""
                    {"name":"Busy","conditions":[{"type":"error_rate","per_minute":3}],"actions":[{"type":"notify","roles":["owner"]}]}
                    """#)
                let oftenID = try #require(Self.json(often.1)["id"] as? String), busyID = try #require(Self.json(busy.1)["id"] as? String)
                for _ in 0..<4 {
                    let event = #"{"event_id":"\#(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())","level":"error","platform":"python","exception":{"values":[{"type":"TimeoutError","value":"gateway timed out"}]}}"#
                    let (status, text, _) = try await IngestRouteTests().post(client, project: setup.projectID, key: setup.key, body: Array(event.utf8), endpoint: "store",
                                                                            extraHeaders: [("Content-Type", "application/json")])
                    #expect(status == .ok, "\(text)")
                }
                try await Self.evaluateAndDeliver(environment)
                var alerts: [[String: Any]] = []
                let deadline = ContinuousClock.now + .seconds(10)
                repeat {
                    alerts = (Self.json(try await call("organizations/default/alerts/", .get).1)["alerts"] as? [[String: Any]]) ?? []
                    if alerts.filter({ [oftenID, busyID].contains($0["rule_id"] as? String) }).count >= 3 { break }
                    try await Task.sleep(for: .milliseconds(20))
                } while ContinuousClock.now < deadline
                let fromOften = alerts.filter { $0["rule_id"] as? String == oftenID }.reversed()
                #expect(fromOften.map { $0["status"] as? String } == ["notified", "throttled"])
                #expect((fromOften.first?["reason"] as? String)?.contains("seen 3 times in 5 min") == true, "\(fromOften)")
                let fromBusy = alerts.filter { $0["rule_id"] as? String == busyID }
                #expect(fromBusy.count == 1 && (fromBusy.first?["reason"] as? String)?.contains("4 events in the last minute") == true, "\(fromBusy)")
            }
        }
    }

    static func evaluateAndDeliver(_ environment: TestEnvironment) async throws {
        let store = try await environment.openStore()
        try await store.whileRunning { store in
            let evaluator = AlertEvaluator(repositories: store.repositories, publicURL: "http://telltale.test", logger: TestDatabase.logger,
                                           metrics: NOOPMetricsHandler.instance)
            try await evaluator.evaluate()
            let delivery = NotificationDelivery(alerts: store.repositories.alerts, pagerDutyURL: "http://127.0.0.1:9/", logger: TestDatabase.logger,
                                                metrics: NOOPMetricsHandler.instance)
            _ = try await delivery.deliverDue()
            await delivery.shutdown()
        }
    }

    @Test("a receiver that fails twice gets the notification on the third attempt, after growing delays on a hand-moved clock; a 404 is final",
          arguments: TestDatabase.allCases)
    func retries(_ database: TestDatabase) async throws {
        let receiver = AlertReceiver()
        try await receiver.run { port in
            try await TestEnvironment.with(database) { environment in
                let store = try await environment.openStore()
                try await store.whileRunning { store in
                    _ = try await store.migrate()
                    let alerts = store.repositories.alerts
                    let organization = try await store.repositories.organizations.create(slug: try Slug("acme"), name: "Acme")
                    let clock = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
                    let now: @Sendable () -> Date = { clock.withLock { $0 } }
                    let flaky = try await alerts.createChannel(organizationID: organization.id, name: "flaky",
                                                               config: .webhook(url: "http://127.0.0.1:\(port)/flaky", secret: nil, headers: [:], template: nil), now: now())
                    let gone = try await alerts.createChannel(organizationID: organization.id, name: "gone",
                                                              config: .slack(url: "http://127.0.0.1:\(port)/gone"), now: now())
                    await receiver.failNext(2, path: "/flaky")
                    let item = NotificationMessage.Item(alertID: "1", subject: "issue:1", title: "Boom", severity: .high, reason: "a new issue", link: "", resolved: false)
                    let message = NotificationMessage(organization: "default", ruleID: "1", ruleName: "r", alerts: [item], sentAt: now())
                    #expect(try await alerts.commitEvaluation(cursor: "test", from: 0, to: 1, alerts: [],
                                                              notifications: [OutgoingNotification(organizationID: organization.id, target: .channel(flaky.id), message: message)], groups: [], now: now()))
                    // The same position again (another node was first): nothing is stored twice.
                    #expect(!(try await alerts.commitEvaluation(cursor: "test", from: 0, to: 1, alerts: [],
                                                                notifications: [OutgoingNotification(organizationID: organization.id, target: .channel(flaky.id), message: message)], groups: [], now: now())))
                    let delivery = NotificationDelivery(alerts: alerts, policy: DeliveryPolicy(maxAttempts: 5, baseDelay: 2, maxDelay: 60),
                                                        pagerDutyURL: "http://127.0.0.1:\(port)/pd", logger: TestDatabase.logger, metrics: NOOPMetricsHandler.instance,
                                                        now: now)
                    defer { Task { await delivery.shutdown() } }
                    #expect(try await delivery.deliverDue() == 1)  // 503
                    #expect(try await delivery.deliverDue() == 0)  // not due yet
                    clock.withLock { $0 += 3 }
                    #expect(try await delivery.deliverDue() == 1)  // 503 again, next in about 4 s
                    clock.withLock { $0 += 2 }
                    #expect(try await delivery.deliverDue() == 0)
                    clock.withLock { $0 += 3 }
                    #expect(try await delivery.deliverDue() == 1)  // 200
                    let record = try #require(try await alerts.notifications(organizationID: organization.id, limit: 10).first)
                    #expect(record.status == "delivered" && record.attempts == 3)
                    #expect(try await alerts.attempts(notificationID: record.id).map(\.statusCode) == [503, 503, 200])
                    #expect(await receiver.requests(to: "/flaky").count == 3)

                    #expect(try await alerts.commitEvaluation(cursor: "test", from: 1, to: 2, alerts: [],
                                                              notifications: [OutgoingNotification(organizationID: organization.id, target: .channel(gone.id), message: message)], groups: [], now: now()))
                    _ = try await delivery.deliverDue()
                    let failed = try #require(try await alerts.notifications(organizationID: organization.id, limit: 10).first)
                    #expect(failed.status == "failed" && failed.attempts == 1 && failed.lastError?.contains("404") == true, "\(failed)")
                }
            }
        }
    }

    @Test("a monitor going down notifies, its recovery too, and a change during maintenance is recorded as muted", arguments: TestDatabase.allCases)
    func monitorChanges(_ database: TestDatabase) async throws {
        let receiver = AlertReceiver()
        try await receiver.run { port in
            try await TestEnvironment.with(database) { environment in
                let store = try await environment.openStore()
                try await store.whileRunning { store in
                    _ = try await store.migrate()
                    let repositories = store.repositories
                    let organization = try await repositories.organizations.create(slug: try Slug("acme"), name: "Acme")
                    let now = Date()
                    let monitor = try await repositories.monitors.create(
                        organizationID: organization.id,
                        try MonitorDraft(name: "Checkout API", component: "API", target: .http(try HTTPTarget(url: "http://127.0.0.1:9/")),
                                         intervalSeconds: 60, timeoutSeconds: 5, failureThreshold: 1, recoveryThreshold: 1),
                        pingToken: nil, now: now)
                    let evaluator = AlertEvaluator(repositories: repositories, publicURL: "http://telltale.test", logger: TestDatabase.logger,
                                                   metrics: NOOPMetricsHandler.instance, now: { now })
                    try await evaluator.start()
                    let hook = try await repositories.alerts.createChannel(organizationID: organization.id, name: "hook",
                                                                           config: .webhook(url: "http://127.0.0.1:\(port)/monitors", secret: nil, headers: [:], template: nil), now: now)
                    _ = try await repositories.alerts.createRule(organizationID: organization.id, try AlertRuleDraft(
                        name: "Down and back", conditions: [.monitorStatus(.down), .monitorStatus(.up)], actions: [.init(channels: [hook.id])],
                        actionIntervalSeconds: 0), now: now)
                    func check(_ verdict: CheckVerdict, at offset: TimeInterval, maintenance: Bool = false) async throws {
                        _ = try await repositories.monitors.record([CheckResult(monitorID: monitor.id, checkedAt: now.addingTimeInterval(offset), verdict: verdict,
                                                                                message: verdict == .down ? "connection refused" : "status 200",
                                                                                nextCheckAt: now.addingTimeInterval(offset + 60))],
                                                                   inMaintenance: maintenance ? [monitor.id] : [])
                    }
                    try await check(.down, at: 1)
                    try await check(.up, at: 61)
                    try await check(.down, at: 121, maintenance: true)
                    #expect(try await evaluator.evaluate() == 3)
                    let history = try await repositories.alerts.alerts(organizationID: organization.id, limit: 10)
                    #expect(history.map(\.status) == [.muted, .notified, .notified])
                    #expect(history.map(\.firing.title) == ["Checkout API is down", "Checkout API recovered", "Checkout API is down"])
                    #expect(history[1].firing.isResolution && history[1].link.hasSuffix("/organizations/acme/monitors/\(monitor.id)/"))
                    let delivery = NotificationDelivery(alerts: repositories.alerts, pagerDutyURL: "http://127.0.0.1:9/", logger: TestDatabase.logger,
                                                        metrics: NOOPMetricsHandler.instance, now: { now })
                    #expect(try await delivery.deliverDue() == 1)
                    await delivery.shutdown()
                    let body = try #require(await receiver.requests(to: "/monitors").first).body
                    let alerts = (Self.json(body)["alerts"] as? [[String: Any]]) ?? []
                    #expect(alerts.map { $0["resolved"] as? Bool } == [false, true], "\(body)")
                    #expect(try await evaluator.evaluate() == 0)
                }
            }
        }
    }

    @Test("grouping: alerts wait group_wait and go out as one message, later ones wait group_interval, a recovery answers on resolved",
          arguments: TestDatabase.allCases)
    func grouping(_ database: TestDatabase) async throws {
        try await TestEnvironment.with(database) { environment in
            let store = try await environment.openStore()
            try await store.whileRunning { store in
                _ = try await store.migrate()
                let repositories = store.repositories
                let organization = try await repositories.organizations.create(slug: try Slug("acme"), name: "Acme")
                let start = Date(timeIntervalSince1970: 1_800_000_000)
                let clock = Mutex(start)
                let now: @Sendable () -> Date = { clock.withLock { $0 } }
                func advance(to offset: TimeInterval) { clock.withLock { $0 = start.addingTimeInterval(offset) } }
                var monitors: [Monitor] = []
                for name in ["Checkout API", "Search API"] {
                    monitors.append(try await repositories.monitors.create(
                        organizationID: organization.id,
                        try MonitorDraft(name: name, component: "API", target: .http(try HTTPTarget(url: "http://127.0.0.1:9/")),
                                         intervalSeconds: 60, timeoutSeconds: 5, failureThreshold: 1, recoveryThreshold: 1),
                        pingToken: nil, now: start))
                }
                let evaluator = AlertEvaluator(repositories: repositories, publicURL: "http://telltale.test", logger: TestDatabase.logger,
                                               metrics: NOOPMetricsHandler.instance, now: now)
                try await evaluator.start()
                let hook = try await repositories.alerts.createChannel(organizationID: organization.id, name: "hook",
                                                                       config: .webhook(url: "http://127.0.0.1:9/", secret: nil, headers: [:], template: nil), now: start)
                let rule = try await repositories.alerts.createRule(organizationID: organization.id, try AlertRuleDraft(
                    name: "Down", conditions: [.monitorStatus(.down)], actions: [.init(channels: [hook.id])], actionIntervalSeconds: 0,
                    groupWaitSeconds: 30, groupIntervalSeconds: 120, sendResolved: true), now: start)
                func check(_ monitor: Monitor, _ verdict: CheckVerdict, at offset: TimeInterval) async throws {
                    advance(to: offset)
                    _ = try await repositories.monitors.record([CheckResult(monitorID: monitor.id, checkedAt: start.addingTimeInterval(offset), verdict: verdict,
                                                                            message: verdict == .down ? "connection refused" : "status 200",
                                                                            nextCheckAt: start.addingTimeInterval(offset + 60))], inMaintenance: [])
                    _ = try await evaluator.evaluate()
                }
                func sent() async throws -> [NotificationMessage] {
                    var messages: [NotificationMessage] = []
                    while let queued = try await repositories.alerts.claimNotifications(now: now(), limit: 10, owner: "test", leaseUntil: now().addingTimeInterval(60)).first {
                        messages.append(queued.message)
                        try await repositories.alerts.recordAttempts([DeliveryAttempt(notificationID: queued.id, attemptedAt: now(), statusCode: 200, error: nil,
                                                                                    milliseconds: 1, decision: .delivered)])
                    }
                    return messages
                }
                try await check(monitors[0], .down, at: 0)
                try await check(monitors[1], .down, at: 10)
                advance(to: 29)
                #expect(try await evaluator.flushDueGroups() == 0)
                #expect(try await sent().isEmpty)
                #expect(try await repositories.alerts.alerts(organizationID: organization.id, limit: 10).map(\.status) == [.pending, .pending])
                advance(to: 30)
                #expect(try await evaluator.flushDueGroups() == 1)
                let first = try await sent()
                #expect(first.count == 1 && first[0].alerts.map(\.title) == ["Checkout API is down", "Search API is down"])
                #expect(try await repositories.alerts.alerts(organizationID: organization.id, limit: 10).map(\.status) == [.notified, .notified])
                // The recovery answers on resolved, but waits until group_interval after the last message.
                try await check(monitors[0], .up, at: 40)
                advance(to: 149)
                #expect(try await evaluator.flushDueGroups() == 0)
                advance(to: 150)
                #expect(try await evaluator.flushDueGroups() == 1)
                let second = try await sent()
                #expect(second.count == 1 && second[0].alerts.map(\.resolved) == [true] && second[0].alerts[0].title == "Checkout API recovered")
                #expect(try await repositories.alerts.alertGroup(ruleID: rule.id) == AlertGroupState(ruleID: rule.id, lastSentAt: start.addingTimeInterval(150)))
                // Long after the last message, the other monitor's recovery goes out at once.
                try await check(monitors[1], .up, at: 400)
                #expect(try await evaluator.flushDueGroups() == 0)
                let third = try await repositories.alerts.notifications(organizationID: organization.id, limit: 10)
                #expect(third.first?.title == "Search API recovered" && third.first?.status == "queued")
                // The history past its retention goes; nothing newer does.
                #expect(try await repositories.alerts.purgeHistory(before: start, batchSize: 1_000) == 0)
                let purged = try await repositories.alerts.purgeHistory(before: start.addingTimeInterval(1_000), batchSize: 1_000)
                #expect(purged == 6)  // four alerts and the two delivered notifications (their attempts go with them)
                #expect(try await repositories.alerts.alerts(organizationID: organization.id, limit: 10).isEmpty)
                // A notification still queued stays until it is settled.
                #expect(try await repositories.alerts.notifications(organizationID: organization.id, limit: 10).map(\.title) == ["Search API recovered"])
            }
        }
    }
}
