import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SentryProtocol
import Testing
@testable import TelltaleClient
import TelltaleClientHummingbird

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
}
