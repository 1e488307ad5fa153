import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import TelltaleApp
import TelltaleCore
import TelltaleTestSupport

/// Transactions, spans, web vitals and sessions sent as Sentry envelopes come back through the
/// performance API as percentiles, Apdex, slow queries, ratings and release health.
extension IssuesAPITests {
    static func envelope(_ items: [(type: String, payload: String)]) -> [UInt8] {
        var text = #"{"sent_at":"2026-12-04T00:00:00Z"}"# + "\n"
        for item in items { text += #"{"type":"\#(item.type)","length":\#(item.payload.utf8.count)}"# + "\n" + item.payload + "\n" }
        return Array(text.utf8)
    }

    static func transaction(url: String, ms: Double, end: Double, status: String = "ok", user: String? = nil, release: String = "shop@1.0",
                            spans: String = "[]", measurements: String = "{}", agent: String = "python-requests/2.32") -> String {
        let id = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        return #"{"type":"transaction","event_id":"\#(id)","transaction":"\#(url)","transaction_info":{"source":"url"},"start_timestamp":\#(end - ms / 1000),"timestamp":\#(end),"#
            + #""contexts":{"trace":{"trace_id":"\#(id)","span_id":"aaaaaaaaaaaaaaaa","op":"http.server","status":"\#(status)"}},"release":"\#(release)","environment":"production","#
            + #""request":{"url":"http://shop\#(url)","headers":{"User-Agent":"\#(agent)"}},"# + (user.map { #""user":{"id":"\#($0)"},"# } ?? "")
            + #""spans":\#(spans),"measurements":\#(measurements)}"#
    }

    func postEnvelope(_ client: some TestClientProtocol, _ key: String, _ body: [UInt8]) async throws -> HTTPResponse.Status {
        try await client.execute(uri: "/api/1/envelope/", method: .post,
                                 headers: [HTTPField.Name("X-Sentry-Auth")!: "Sentry sentry_key=\(key), sentry_version=7", .contentType: "application/x-sentry-envelope"],
                                 body: ByteBuffer(bytes: body)) { $0.status }
    }

    @Test("transactions, N+1 queries, web vitals and sessions become percentiles, performance issues, ratings and release health in the API",
          arguments: TestDatabase.allCases)
    func performance(database: TestDatabase) async throws {
        try await TestEnvironment.with(database) { environment in
            let app = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                let t = try await setUp(environment)
                let now = Date().timeIntervalSince1970
                var items: [(type: String, payload: String)] = []
                let durations = (0..<40).map { Double(20 + $0 * 40) }
                for (i, ms) in durations.enumerated() {
                    items.append(("transaction", Self.transaction(url: "/orders/\(1000 + i)", ms: ms, end: now - 120 + Double(i), status: i % 8 == 0 ? "internal_error" : "ok",
                                                                  user: "u\(i % 5)")))
                }
                var spans: [String] = []
                for i in 0..<7 {
                    let start = now - 100 + Double(i) * 0.02
                    spans.append(#"{"span_id":"b\#(i)bbbbbbbbbbbbbb","parent_span_id":"aaaaaaaaaaaaaaaa","op":"db","description":"select name from dishes where id = \#(i)","start_timestamp":\#(start),"timestamp":\#(start + 0.015)}"#)
                }
                spans.append(#"{"span_id":"cccccccccccccccc","parent_span_id":"aaaaaaaaaaaaaaaa","op":"db","description":"select * from orders where total > 100","start_timestamp":\#(now - 99.5),"timestamp":\#(now - 98.2)}"#)
                items.append(("transaction", Self.transaction(url: "/menus/7", ms: 2000, end: now - 98, spans: "[" + spans.joined(separator: ",") + "]")))
                let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1"
                items.append(("transaction", Self.transaction(url: "/", ms: 900, end: now - 90,
                                                              measurements: #"{"lcp":{"value":3000,"unit":"millisecond"},"cls":{"value":0.3,"unit":""},"inp":{"value":150,"unit":"millisecond"},"bad":{"value":"x"}}"#, agent: iphone)))
                // Bad input: no start, ends before it starts, an unknown session status; the envelope still answers 200.
                items.append(("transaction", #"{"type":"transaction","transaction":"/x","timestamp":\#(now)}"#))
                items.append(("transaction", #"{"type":"transaction","transaction":"/x","start_timestamp":\#(now),"timestamp":\#(now - 5)}"#))
                items.append(("sessions", #"{"aggregates":[{"started":"2026-12-04T00:00:00Z","exited":8,"crashed":2,"did":"u1"}],"attrs":{"release":"shop@1.0","environment":"production"}}"#))
                items.append(("session", #"{"sid":"s1","did":"u9","init":true,"started":\#(now - 60),"status":"weird","attrs":{"release":"shop@2.0"}}"#))
                // One transaction per envelope, as the protocol has it.
                for item in items { #expect(try await postEnvelope(client, t.key, Self.envelope([item])) == .ok) }

                let base = "projects/default/default/performance"
                // The envelope is answered before the writer commits it: wait (bounded) until it has.
                var list = try await call(client, .get, "\(base)/transactions/?statsPeriod=1h&sort=-p95", auth: t.viewer)
                for _ in 0..<100 where list.list.count < 3 {
                    try await Task.sleep(for: .milliseconds(50))
                    list = try await call(client, .get, "\(base)/transactions/?statsPeriod=1h&sort=-p95", auth: t.viewer)
                }
                #expect(list.status == .ok, "\(list.body)")
                let orders = try #require(list.list.first { $0["name"] as? String == "/orders/{id}" }, "\(list.body)")
                #expect(orders["count"] as? Int == 40)
                #expect(abs((orders["failure_rate"] as? Double ?? 0) - 5.0 / 40) < 1e-9)
                let sorted = durations.sorted()
                let p95 = sorted[Int((0.95 * 40).rounded(.up)) - 1]
                #expect(abs((orders["p95"] as? Double ?? 0) - p95) <= 0.01 * p95, "\(orders)")
                let satisfied = Double(durations.filter { $0 <= 300 }.count), tolerable = Double(durations.filter { $0 > 300 && $0 <= 1200 }.count)
                #expect(abs((orders["apdex"] as? Double ?? 0) - (satisfied + tolerable / 2) / 40) < 1e-9)
                #expect(orders["users"] as? Int == 5 && orders["user_misery"] is Double)
                #expect(list.list.first?["name"] as? String == "/menus/{id}", "sorted by p95: \(list.body)")
                #expect(try await call(client, .get, "\(base)/transactions/?sort=-nope", auth: t.viewer).status == .badRequest)
                #expect(try await call(client, .get, "\(base)/transactions/?statsPeriod=forever", auth: t.viewer).status == .badRequest)
                #expect(try await call(client, .get, "\(base)/transactions/", auth: t.outsider).status == .notFound)

                let detail = try await call(client, .get, "\(base)/transactions/%2Forders%2F%7Bid%7D/?statsPeriod=1h", auth: t.viewer)
                #expect(detail.status == .ok, "\(detail.body)")
                #expect((60...61).contains((detail.object["series"] as? [Any])?.count ?? 0), "a point a minute")
                #expect(((detail.object["samples"] as? [[String: Any]])?.first?["duration_ms"] as? Double ?? 0) >= 1579)
                #expect(try await call(client, .get, "\(base)/transactions/%2Fnothing/", auth: t.viewer).status == .notFound)

                let slow = try await call(client, .get, "\(base)/spans/?op=db&statsPeriod=1h", auth: t.viewer)
                let orderQuery = try #require(slow.list.first { $0["description"] as? String == "select * from orders where total > %s" }, "\(slow.body)")
                #expect(orderQuery["level"] as? String == "warning")
                #expect(slow.list.contains { $0["description"] as? String == "select name from dishes where id = %s" && $0["count"] as? Int == 7 })
                let waterfall = try await call(client, .get, "\(base)/events/\(orderQuery["example_event_id"] as? String ?? "")/", auth: t.viewer)
                #expect((waterfall.object["rows"] as? [Any])?.count == 8, "\(waterfall.body)")

                let vitals = try await call(client, .get, "\(base)/web-vitals/?statsPeriod=1h&segment=device", auth: t.viewer)
                #expect(vitals.status == .ok, "\(vitals.body)")
                let rows = try #require(vitals.object["vitals"] as? [[String: Any]])
                #expect(rows.first { $0["vital"] as? String == "lcp" }?["rating"] as? String == "needs-improvement")
                #expect(rows.first { $0["vital"] as? String == "cls" }?["rating"] as? String == "poor")
                #expect(rows.first { $0["vital"] as? String == "inp" }?["rating"] as? String == "good")
                #expect((vitals.object["segments"] as? [[String: Any]])?.first?["value"] as? String == "mobile")
                #expect(try await call(client, .get, "\(base)/web-vitals/?segment=shoe", auth: t.viewer).status == .badRequest)

                // The N+1 and the slow query are performance issues next to the errors.
                let issues = try await call(client, .get, "projects/default/default/issues/?query=", auth: t.viewer).list
                let titles = issues.compactMap { $0["title"] as? String }
                #expect(titles.contains("N+1 Query: select name from dishes where id = %s"), "\(titles)")
                #expect(titles.contains("Slow DB Query: select * from orders where total > %s"), "\(titles)")

                let releases = try await call(client, .get, "projects/default/default/releases/", auth: t.viewer)
                let one = try #require(releases.list.first { $0["version"] as? String == "shop@1.0" }, "\(releases.body)")
                #expect(one["sessions"] as? Int == 10 && one["crash_free_sessions"] as? Double == 0.8)
                #expect((one["transactions"] as? Int ?? 0) >= 42)
                let two = try #require(releases.list.first { $0["version"] as? String == "shop@2.0" })
                #expect(two["sessions"] as? Int == 1 && two["crash_free_sessions"] as? Double == 1)
                let release = try await call(client, .get, "projects/default/default/releases/shop%401.0/?compare=shop%402.0", auth: t.viewer)
                #expect(release.status == .ok, "\(release.body)")
                #expect((release.object["comparison"] as? [String: Any])?["version"] as? String == "shop@2.0")
                #expect(try await call(client, .get, "projects/default/default/releases/nope/", auth: t.viewer).status == .notFound)

                let metrics = #"{"metrics":[{"name":"checkout.render","value":120,"unit":"millisecond","tags":{"release":"shop@1.0"}}]}"#
                #expect(try await call(client, .post, "\(base)/metrics/", metrics, auth: t.viewer).status == .forbidden)
                let sent = try await call(client, .post, "\(base)/metrics/", metrics, auth: t.member)
                #expect(sent.status == .accepted && sent.object["accepted"] as? Int == 1 && sent.object["regression_detected"] as? Bool == false, "\(sent.body)")
                #expect(try await call(client, .post, "\(base)/metrics/", #"{"name":"x","value":-1}"#, auth: t.member).status == .badRequest)
                #expect(try await call(client, .post, "\(base)/metrics/", "nope", auth: t.member).status == .badRequest)
            }
        }
    }
}
