import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SentryProtocol
import Synchronization
import Testing
@testable import TelltaleClient
import TelltaleClientHummingbird
import Tracing

/// The Hummingbird middleware: thrown errors and 5xx answers become events with their route
/// and request (scrubbed), every request a transaction; 4xx answers are not errors.
@Suite("Swift client Hummingbird middleware")
struct MiddlewareTests {
    struct StockError: Error {}

    @Test("errors and 5xx become events with the route and the scrubbed request; each request a transaction with its status")
    func middleware() async throws {
        let transport = ScriptedTransport()
        let client = TelltaleClient(options: try TelltaleOptions(dsn: "http://public@127.0.0.1:9/7", tracesSampleRate: 1), transport: transport)
        let router = Router()
        router.add(middleware: TelltaleMiddleware(client: client))
        router.get("orders/:id") { _, _ in "order" }
        router.get("stock") { _, _ -> String in throw StockError() }
        router.get("down") { _, _ in Response(status: .serviceUnavailable) }
        router.get("missing") { _, _ -> String in throw HTTPError(.notFound) }
        try await Telltale.withScope({ $0 = Scope() }) {
            try await DeliveryTests.running(client) {
                try await Application(router: router).test(.router) { http in
                    var statuses: [HTTPResponse.Status] = []
                    statuses.append(try await http.execute(uri: "/orders/42?secret=1", method: .get, headers: [.authorization: "Bearer tt_123"]) { $0.status })
                    for path in ["/stock", "/down", "/missing"] { statuses.append(try await http.execute(uri: path, method: .get) { $0.status }) }
                    #expect(statuses == [.ok, .internalServerError, .serviceUnavailable, .notFound])
                }
            }
        }
        let items = transport.accepted.compactMap { $0.items.first }.compactMap { item in (try? JSONParser.parse(Array(item.payload))).map { (item.type, $0) } }
        let transactions = items.filter { $0.0 == "transaction" }.map(\.1), errors = items.filter { $0.0 == "event" }.map(\.1)
        #expect(Set(transactions.compactMap { $0["transaction"]?.stringValue }) == ["GET /orders/{id}", "GET /stock", "GET /down", "GET /missing"])
        let order = try #require(transactions.first { $0["transaction"]?.stringValue == "GET /orders/{id}" })
        #expect(order["contexts"]?["trace"]?["status"]?.stringValue == "ok" && order["request"]?["url"]?.stringValue == "/orders/42")
        #expect(order["request"]?["headers"]?["authorization"]?.stringValue == "[Filtered]", "\(order)")
        #expect(transactions.first { $0["transaction"]?.stringValue == "GET /missing" }?["contexts"]?["trace"]?["status"]?.stringValue == "not_found")
        #expect(errors.count == 2, "\(errors)")
        let thrown = try #require(errors.first { $0["exception"] != nil })
        #expect(thrown["transaction"]?.stringValue == "GET /stock" && thrown["exception"]?["values"]?.arrayValue?.first?["type"]?.stringValue?.hasSuffix("StockError") == true)
        let unavailable = try #require(errors.first { $0["message"] != nil })
        #expect(unavailable["message"]?["formatted"]?.stringValue == "503 Service Unavailable from GET /down" && unavailable["tags"]?["endpoint"]?.stringValue == "GET /down")
    }

    @Test("spans started during a request become the transaction's spans (database and HTTP), a caller's trace is continued, and trace headers are injected")
    func tracing() async throws {
        let transport = ScriptedTransport()
        let client = TelltaleClient(options: try TelltaleOptions(dsn: "http://public@127.0.0.1:9/7", tracesSampleRate: 1), transport: transport)
        let tracer = TelltaleTracer(client: client)
        let router = Router()
        router.add(middleware: TelltaleMiddleware(client: client))
        let injected = InjectedHeaders()
        router.get("orders/:id") { _, _ -> String in
            try await tracer.withSpan("SELECT", ofKind: .client) { span in
                span.attributes["db.system"] = "postgresql"
                span.attributes["db.query.text"] = "select * from orders where id = $1"
                try await Task.sleep(for: .milliseconds(2))
            }
            tracer.withSpan("GET", ofKind: .client) { span in
                span.attributes["http.request.method"] = "GET"
                span.attributes["url.full"] = "http://stock.internal/items/42"
                span.attributes["http.response.status_code"] = Int64(503)
                var headers: [String: String] = [:]
                tracer.inject(span.context, into: &headers, using: DictionaryInjector())
                injected.set(headers)
            }
            return "order"
        }
        try await DeliveryTests.running(client) {
            try await Application(router: router).test(.router) { http in
                _ = try await http.execute(uri: "/orders/42", method: .get) { $0.status }
                let caller: HTTPFields = [HTTPField.Name("sentry-trace")!: "0123456789abcdef0123456789abcdef-89abcdef01234567-1"]
                _ = try await http.execute(uri: "/orders/43", method: .get, headers: caller) { $0.status }
            }
        }
        let transactions = transport.accepted.compactMap { $0.items.first }.filter { $0.type == "transaction" }.compactMap { try? JSONParser.parse(Array($0.payload)) }
        #expect(transactions.count == 2)
        let first = try #require(transactions.first { $0["request"]?["url"]?.stringValue == "/orders/42" })
        let trace = try #require(first["contexts"]?["trace"])
        #expect(first["transaction"]?.stringValue == "GET /orders/{id}" && trace["op"]?.stringValue == "http.server")
        let spans = first["spans"]?.arrayValue ?? []
        #expect(spans.count == 2)
        let db = try #require(spans.first { $0["op"]?.stringValue == "db" })
        #expect(db["description"]?.stringValue == "select * from orders where id = $1")
        #expect(db["parent_span_id"]?.stringValue == trace["span_id"]?.stringValue && db["trace_id"]?.stringValue == trace["trace_id"]?.stringValue)
        #expect((db["timestamp"]?.doubleValue ?? 0) - (db["start_timestamp"]?.doubleValue ?? 0) >= 0.002)
        let call = try #require(spans.first { $0["op"]?.stringValue == "http.client" })
        #expect(call["description"]?.stringValue == "GET http://stock.internal/items/42" && call["status"]?.stringValue == "unavailable")
        // The second request continued the caller's trace.
        let second = try #require(transactions.first { $0["request"]?["url"]?.stringValue == "/orders/43" })
        #expect(second["contexts"]?["trace"]?["trace_id"]?.stringValue == "0123456789abcdef0123456789abcdef")
        #expect(second["contexts"]?["trace"]?["parent_span_id"]?.stringValue == "89abcdef01234567")
        let headers = injected.get()
        #expect(headers["sentry-trace"]?.hasPrefix("0123456789abcdef0123456789abcdef-") == true && headers["sentry-trace"]?.hasSuffix("-1") == true)
        #expect(headers["traceparent"]?.hasPrefix("00-0123456789abcdef0123456789abcdef-") == true)
    }

    @Test("release health: requests counted per minute as one sessions item, and a process session with its errors")
    func sessions() async throws {
        let transport = ScriptedTransport()
        let clock = TestClock(Date(timeIntervalSince1970: 1_800_000_000))
        let client = TelltaleClient(options: try TelltaleOptions(dsn: "http://public@127.0.0.1:9/7", environment: "production", release: "shop@2.0"),
                                    transport: transport, now: { clock.now })
        try await DeliveryTests.running(client) {
            for errored in [false, false, true] { client.recordRequestSession(errored: errored) }
            clock.advance(61)
            client.recordRequestSession(errored: false)  // a new minute: the last one goes out
            client.startSession(distinctID: "worker-1")
            client.capture(StockError())
            client.endSession()
            #expect(await client.flush(timeout: .seconds(5)))
        }
        let items = transport.accepted.flatMap(\.items)
        let aggregates = items.filter { $0.type == "sessions" }.compactMap { try? JSONParser.parse(Array($0.payload)) }
        let buckets = aggregates.flatMap { $0["aggregates"]?.arrayValue ?? [] }
        #expect(buckets.count == 2, "\(aggregates)")
        #expect(buckets.first?["exited"]?.intValue == 2 && buckets.first?["errored"]?.intValue == 1)
        #expect(buckets.last?["exited"]?.intValue == 1)
        #expect(aggregates.first?["attrs"]?["release"]?.stringValue == "shop@2.0" && aggregates.first?["attrs"]?["environment"]?.stringValue == "production")
        let sessions = items.filter { $0.type == "session" }.compactMap { try? JSONParser.parse(Array($0.payload)) }
        #expect(sessions.count == 2)
        #expect(sessions.first?["init"]?.boolValue == true && sessions.first?["did"]?.stringValue == "worker-1")
        #expect(sessions.last?["status"]?.stringValue == "exited" && sessions.last?["errors"]?.intValue == 1)
        #expect(sessions.first?["sid"]?.stringValue == sessions.last?["sid"]?.stringValue)
    }
}

/// Headers a handler injected, read after the request.
final class InjectedHeaders: Sendable {
    let headers = Mutex<[String: String]>([:])
    func set(_ value: [String: String]) { headers.withLock { $0 = value } }
    func get() -> [String: String] { headers.withLock { $0 } }
}

struct DictionaryInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
}

/// A clock the test moves by hand.
final class TestClock: Sendable {
    let date: Mutex<Date>
    init(_ start: Date) { date = Mutex(start) }
    var now: Date { date.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { date.withLock { $0 += seconds } }
}
