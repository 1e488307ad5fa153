import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Metrics
import NIOCore
import SentryProtocol
import Synchronization
import Testing
import TelltaleApp
import TelltaleCore
import TelltaleForwarding
import TelltaleIngest
import TelltaleStore
import TelltaleTestSupport

@Suite("Forwarding: events sent on to Sentry, Datadog, New Relic and webhooks")
struct ForwardingTests {
    static func json(_ text: String) -> Any? { try? JSONSerialization.jsonObject(with: Data(text.utf8)) }

    static func errorEvent(id: String, type: String, level: String, environment: String) -> String {
        #"""
        {"event_id":"\#(id)","level":"\#(level)","platform":"python","environment":"\#(environment)","release":"shop@1.4.0","server_name":"web-1",
         "tags":{"category":"payment"},"exception":{"values":[{"type":"\#(type)","value":"card declined",
         "stacktrace":{"frames":[{"filename":"shop/pay.py","lineno":42,"function":"charge"}]}}]},
         "request":{"url":"https://shop.example/pay","headers":{"Authorization":"Bearer very-secret-token"}}}
        """#
    }

    static func newID() -> String { UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() }

    @Test("each stored event reaches each service in its documented shape, filtered, with credentials never shown back", arguments: TestDatabase.allCases)
    func services(_ database: TestDatabase) async throws {
        let receiver = AlertReceiver()
        try await receiver.withServer(database) { client, tokens, environment, port in
            let setup = try await IngestRouteTests().setUp(environment)
            func call(_ path: String, _ method: HTTPRequest.Method, _ token: String = tokens.admin, _ body: String? = nil) async throws -> (HTTPResponse.Status, String) {
                try await client.execute(uri: "/api/0/" + path, method: method, headers: [.contentType: "application/json", .authorization: "Bearer \(token)"],
                                         body: body.map { ByteBuffer(string: $0) }) { ($0.status, String(buffer: $0.body)) }
            }
            func send(_ event: String) async throws {
                let (status, text, _) = try await IngestRouteTests().post(client, project: setup.projectID, key: setup.key, body: Array(event.utf8), endpoint: "store",
                                                                        extraHeaders: [("Content-Type", "application/json")])
                #expect(status == .ok, "\(text)")
            }
            // Stored before any forwarder exists: it stays home.
            let before = Self.newID()
            try await send(Self.errorEvent(id: before, type: "OldError", level: "error", environment: "production"))

            let base = "http://127.0.0.1:\(port)"
            let path = "projects/default/default/forwarders/"
            for (body, field) in [(#"{"config":{}}"#, "type"), (#"{"type":"sentry","config":{"dsn":"not a dsn"}}"#, "config.dsn"),
                                  (#"{"type":"datadog","config":{"api_key":"dd-key-123456","site":"moon.example"}}"#, "config.site"),
                                  (#"{"type":"newrelic","config":{"license_key":"short"}}"#, "config.license_key"),
                                  (#"{"type":"webhook","config":{"url":"ftp://x"}}"#, "config.url"),
                                  (#"{"type":"webhook","config":{"url":"\#(base)/x"},"filters":{"sample_rate":2}}"#, "filters.sample_rate"),
                                  (#"{"type":"webhook","config":{"url":"\#(base)/x"},"filters":{"min_level":"loud"}}"#, "filters.min_level")] {
                let refused = try await call(path, .post, tokens.admin, body)
                #expect(refused.0 == .badRequest && refused.1.contains(field), "\(body): \(refused.1)")
            }
            #expect(try await call(path, .post, tokens.member, #"{"type":"webhook","config":{"url":"\#(base)/x"}}"#).0 == .forbidden)

            // The Sentry DSN itself points at the stand-in; the others override their intake URL.
            let sentry = try await call(path, .post, tokens.admin, #"{"type":"sentry","name":"Upstream Sentry","config":{"dsn":"http://upstreamkey12345@127.0.0.1:\#(port)/42"}}"#)
            #expect(sentry.0 == .created, "\(sentry.1)")
            #expect(!sentry.1.contains("upstreamkey12345"))
            let datadog = try await call(path, .post, tokens.admin, #"{"type":"datadog","config":{"api_key":"dd-secret-key-0001","site":"datadoghq.eu","url":"\#(base)/dd"}}"#)
            #expect(datadog.0 == .created && !datadog.1.contains("dd-secret-key-0001"), "\(datadog.1)")
            let filtered = try await call(path, .post, tokens.admin, #"""
                {"type":"datadog","name":"prod errors","config":{"api_key":"dd-secret-key-0002","url":"\#(base)/dd-prod"},
                 "filters":{"min_level":"error","environments":["production"]}}
                """#)
            #expect(filtered.0 == .created, "\(filtered.1)")
            let newRelic = try await call(path, .post, tokens.admin, #"{"type":"newrelic","config":{"license_key":"nr-license-key-0003","region":"eu","url":"\#(base)/nr"}}"#)
            #expect(newRelic.0 == .created && !newRelic.1.contains("nr-license-key-0003"), "\(newRelic.1)")
            let hook = try await call(path, .post, tokens.admin, #"{"type":"webhook","config":{"url":"\#(base)/wh","secret":"whsec-forward-0004"}}"#)
            #expect(hook.0 == .created && !hook.1.contains("whsec-forward-0004"), "\(hook.1)")
            let listed = try await call(path, .get, tokens.viewer)
            #expect(listed.0 == .ok && (Self.json(listed.1) as? [Any])?.count == 5)
            #expect(!listed.1.contains("dd-secret-key") && !listed.1.contains("whsec-forward"))

            let error = Self.newID(), warning = Self.newID()
            try await send(Self.errorEvent(id: error, type: "PaymentError", level: "error", environment: "production"))
            try await send(Self.errorEvent(id: warning, type: "SlowWarning", level: "warning", environment: "staging"))

            // The server's forwarding service sends them; wait for the receipts, not for a timer.
            func count(_ path: String, _ key: String) async -> Int {
                await receiver.requests(to: path).reduce(0) { total, request in
                    let body = Self.json(request.body)
                    if key == "dd" { return total + ((body as? [Any])?.count ?? 0) }
                    if key == "nr" { return total + (((body as? [[String: Any]])?.first?["logs"] as? [Any])?.count ?? 0) }
                    return total + (((body as? [String: Any])?["events"] as? [Any])?.count ?? 0)
                }
            }
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                let sentryCount = await receiver.requests(to: "/api/42/envelope/").count
                let (dd, prod, nr, wh) = (await count("/dd", "dd"), await count("/dd-prod", "dd"), await count("/nr", "nr"), await count("/wh", "wh"))
                if sentryCount >= 2, dd >= 2, prod >= 1, nr >= 2, wh >= 2 { break }
                try await Task.sleep(for: .milliseconds(50))
            }

            // Sentry: one envelope per event, authenticated with the upstream key.
            let envelopes = await receiver.requests(to: "/api/42/envelope/")
            #expect(envelopes.count == 2)
            for request in envelopes {
                #expect(request.headers["x-sentry-auth"]?.contains("sentry_key=upstreamkey12345") == true)
                #expect(request.headers["content-type"] == "application/x-sentry-envelope")
                let envelope = try Envelope.parse(Array(request.body.utf8))
                #expect(envelope.items.first?.type == "event")
                let event = try JSONParser.parse(Array(envelope.items[0].payload))
                #expect([error, warning].contains(event.objectValue?["event_id"]?.stringValue ?? ""))
                #expect(envelope.eventID == event.objectValue?["event_id"]?.stringValue)
                // Already scrubbed when stored: the token never leaves.
                #expect(!request.body.contains("very-secret-token"))
            }
            // Datadog: the Logs intake shape and key header.
            let ddRequests = await receiver.requests(to: "/dd")
            #expect(ddRequests.allSatisfy { $0.headers["dd-api-key"] == "dd-secret-key-0001" && $0.headers["content-type"] == "application/json" })
            let logs = ddRequests.flatMap { (Self.json($0.body) as? [[String: Any]]) ?? [] }
            #expect(logs.count == 2)
            let ddError = try #require(logs.first { ($0["status"] as? String) == "error" })
            #expect(ddError["ddsource"] as? String == "telltale" && ddError["service"] as? String == "default" && ddError["hostname"] as? String == "web-1")
            #expect((ddError["ddtags"] as? String)?.contains("env:production") == true && (ddError["ddtags"] as? String)?.contains("category:payment") == true)
            #expect((ddError["error"] as? [String: Any])?["kind"] as? String == "PaymentError")
            #expect(((ddError["error"] as? [String: Any])?["stack"] as? String)?.contains("shop/pay.py\", line 42, in charge") == true)
            #expect(((ddError["telltale"] as? [String: Any])?["url"] as? String)?.contains("/organizations/default/issues/") == true)
            #expect(logs.contains { ($0["status"] as? String) == "warning" })
            // The filtered one: errors in production only.
            let prod = await receiver.requests(to: "/dd-prod").flatMap { (Self.json($0.body) as? [[String: Any]]) ?? [] }
            #expect(prod.count == 1 && (prod.first?["error"] as? [String: Any])?["kind"] as? String == "PaymentError")
            // New Relic: the Log API's common block and logs, with the license key.
            let nr = await receiver.requests(to: "/nr")
            #expect(nr.allSatisfy { $0.headers["api-key"] == "nr-license-key-0003" })
            let nrLogs = nr.flatMap { (((Self.json($0.body) as? [[String: Any]])?.first?["logs"]) as? [[String: Any]]) ?? [] }
            #expect(nrLogs.count == 2)
            #expect(nrLogs.contains { (($0["attributes"] as? [String: Any])?["error.class"] as? String) == "PaymentError" })
            #expect(nrLogs.allSatisfy { $0["timestamp"] is Int || $0["timestamp"] is NSNumber })
            // Webhook: signed like alert webhooks.
            let hooks = await receiver.requests(to: "/wh")
            for request in hooks {
                let timestamp = try #require(request.headers["x-telltale-timestamp"])
                let expected = HMAC<SHA256>.authenticationCode(for: Array("\(timestamp).\(request.body)".utf8), using: SymmetricKey(data: Array("whsec-forward-0004".utf8)))
                    .map { String(format: "%02x", $0) }.joined()
                #expect(request.headers["x-telltale-signature"] == "sha256=" + expected)
            }
            #expect(await count("/wh", "wh") == 2)
            // Nothing stored before the forwarders existed went out.
            #expect(await !receiver.received.contains { $0.body.contains(before) })

            // The delivery log, and an edit that keeps the credential it does not repeat.
            let hookID = try #require((Self.json(hook.1) as? [String: Any])?["id"] as? String)
            // A receipt comes before its attempt is recorded: wait for the record, not for a timer.
            var log = try await call("forwarders/\(hookID)/deliveries/", .get, tokens.viewer)
            var deliveries = (Self.json(log.1) as? [[String: Any]]) ?? []
            let recorded = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < recorded, deliveries.isEmpty || !deliveries.allSatisfy({ $0["status"] as? String == "delivered" }) {
                try await Task.sleep(for: .milliseconds(50))
                log = try await call("forwarders/\(hookID)/deliveries/", .get, tokens.viewer)
                deliveries = (Self.json(log.1) as? [[String: Any]]) ?? []
            }
            #expect(log.0 == .ok && !deliveries.isEmpty && deliveries.allSatisfy { $0["status"] as? String == "delivered" }, "\(log.1)")
            #expect(((deliveries.first?["attempts"] as? [[String: Any]])?.first?["status_code"] as? Int) == 200)
            let edited = try await call("forwarders/\(hookID)/", .put, tokens.admin, #"{"filters":{"min_level":"fatal"},"config":{"url":"\#(base)/wh2"}}"#)
            #expect(edited.0 == .ok && edited.1.contains("fatal") && edited.1.contains("…0004"), "\(edited.1)")
            #expect(try await call("forwarders/\(hookID)/", .put, tokens.admin, #"{"type":"sentry"}"#).0 == .badRequest)
            #expect(try await call("forwarders/\(hookID)/", .delete, tokens.member).0 == .forbidden)
            #expect(try await call("forwarders/\(hookID)/", .delete, tokens.admin).0 == .noContent)
            #expect(try await call("forwarders/\(hookID)/", .get, tokens.admin).0 == .notFound)
        }
    }

    @Test("a failing service gets the batch again after growing delays on a hand-moved clock, nothing lost; a 4xx is final; two passes queue once; a busy pass holds back new events",
          arguments: TestDatabase.allCases)
    func retries(_ database: TestDatabase) async throws {
        let receiver = AlertReceiver()
        try await receiver.run { port in
            try await database.withStore { store in
                let organization = try await store.repositories.organizations.create(slug: try Slug("acme"), name: "Acme")
                let project = try await store.repositories.projects.create(organizationID: organization.id, slug: try Slug("shop"), name: "Shop", platform: "python")
                let clock = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
                let now: @Sendable () -> Date = { clock.withLock { $0 } }
                let forwarders = store.repositories.forwarders
                let flaky = try await forwarders.create(organizationID: organization.id, projectID: project.id, name: "flaky",
                                                        config: .datadog(apiKey: "dd-key-123456", site: "datadoghq.com", url: "http://127.0.0.1:\(port)/flaky"),
                                                        filters: ForwarderFilters(), enabled: true, now: now())
                _ = try await forwarders.create(organizationID: organization.id, projectID: project.id, name: "gone",
                                                config: .webhook(url: "http://127.0.0.1:\(port)/gone", secret: nil), filters: ForwarderFilters(), enabled: true, now: now())
                await receiver.failNext(2, path: "/flaky")
                var records: [IngestRecord] = []
                for index in 0..<3 {
                    let json = Self.errorEvent(id: Self.newID(), type: "E\(index)", level: "error", environment: "production")
                    let normalized = try EventNormalizer.normalize(try JSONParser.parse(Array(json.utf8)), context: EventContext(envelopeEventID: nil, receivedAt: 1_800_000_000))
                    records.append(.event(EventRecord(projectID: project.id, summary: EventNormalizer.summarize(normalized),
                                                      grouping: Grouping(digest: { $0.joined(separator: "|") }).group(normalized),
                                                      payload: PayloadCompression.compress(normalized.serialized()), receivedAt: 1_800_000_000)))
                }
                try await store.ingest.write(records)

                let forwarding = Forwarding(repositories: store.repositories, publicURL: "http://telltale.test",
                                            policy: DeliveryPolicy(maxAttempts: 5, baseDelay: 2, maxDelay: 60), logger: TestDatabase.logger,
                                            metrics: NOOPMetricsHandler.instance, now: now)
                let other = Forwarding(repositories: store.repositories, publicURL: "http://telltale.test", logger: TestDatabase.logger,
                                       metrics: NOOPMetricsHandler.instance, now: now)
                // Ingestion busy: only events stored by the cutoff are taken (none yet), the cursor stays.
                #expect(try await forwarding.queueNew(storedBy: Date(timeIntervalSince1970: 1_800_000_000 - 30)) == 0)
                #expect(try await forwarding.queueNew(storedBy: Date(timeIntervalSince1970: 1_800_000_000)) == 3)
                #expect(try await other.queueNew() == 0)  // the cursor moved: nothing is queued twice
                #expect(try await forwarding.deliverDue() == 2)  // 503 for the flaky one, 404 for the gone one
                #expect(try await forwarding.deliverDue() == 0)  // not due yet
                clock.withLock { $0 += 3 }
                #expect(try await forwarding.deliverDue() == 1)  // 503 again, next in about 4 s
                clock.withLock { $0 += 2 }
                #expect(try await forwarding.deliverDue() == 0)
                clock.withLock { $0 += 3 }
                #expect(try await forwarding.deliverDue() == 1)  // 202
                let log = try await forwarders.deliveries(forwarderID: flaky.id, limit: 10)
                #expect(log.count == 1 && log[0].status == "delivered" && log[0].attempts == 3 && log[0].events == 3)
                let received = await receiver.requests(to: "/flaky")
                #expect(received.count == 3)
                // Every attempt carries the same events and the same delivery id, for receivers that dedupe.
                #expect(Set(received.map(\.body)).count == 1 && Set(received.compactMap { $0.headers["x-telltale-delivery"] }).count == 1)
                #expect((Self.json(received[2].body) as? [Any])?.count == 3)
                let gone = try await forwarders.forwarders(projectID: project.id).first { $0.name == "gone" }
                let goneLog = try await forwarders.deliveries(forwarderID: try #require(gone).id, limit: 10)
                #expect(goneLog.first?.status == "failed" && goneLog.first?.attempts == 1)
                await other.shutdown()
                await forwarding.shutdown()
            }
        }
    }
}
