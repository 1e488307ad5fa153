// An example shop on Hummingbird that reports to Telltale with TelltaleClient: errors with
// severity and business impact, each request a transaction with its database spans, release
// health, a payment provider behind a retry policy and a circuit breaker, logs, and a
// scheduled job's check-ins. Run it next to Telltale:
//
//   TELLTALE_DSN=http://<key>@127.0.0.1:8600/1 swift run telltale-example-shop
//
// then: GET /products, GET /products/1, POST /checkout {"product": 1, "quantity": 2},
// POST /admin/payment-provider/down (checkouts fail, the breaker opens), …/up (it closes
// after its reset timeout), GET /boom (an unhandled error).
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import TelltaleClient
import TelltaleClientHummingbird
import Tracing

let environment = ProcessInfo.processInfo.environment
guard let dsn = environment["TELLTALE_DSN"] else {
    print("Set TELLTALE_DSN to a project's DSN (Telltale prints one on first start).")
    exit(2)
}
let telltale = TelltaleClient(options: try TelltaleOptions(dsn: dsn, environment: environment["SHOP_ENVIRONMENT"] ?? "production",
                                                           release: "shop-example@1.0.0", tracesSampleRate: 1))
// Spans from any library that traces (PostgresNIO, AsyncHTTPClient, Hummingbird) and our own
// become the spans of the request's transaction.
InstrumentationSystem.bootstrap(TelltaleTracer(client: telltale))
// Errors logged become events; lower levels become breadcrumbs of the request's scope.
LoggingSystem.bootstrap { label in
    MultiplexLogHandler([StreamLogHandler.standardOutput(label: label), TelltaleLogHandler(label: label, client: telltale)])
}
let logger = Logger(label: "shop")
let catalog = try await Catalog.open()
let gateway = PaymentGateway(client: telltale, resetTimeout: Double(environment["SHOP_BREAKER_RESET_SECONDS"] ?? "") ?? 30)

struct CheckoutRequest: Decodable {
    var product: Int
    var quantity: Int
}

struct OutOfStock: Error, CustomStringConvertible {
    var product: String
    var description: String { "\(product) is out of stock" }
}

struct InventoryCorrupted: Error {}

let router = Router()
router.add(middleware: TelltaleMiddleware(client: telltale))
router.get("products") { _, _ -> String in
    let ids = try await catalog.allIDs()
    let stars = try await catalog.averageStars(ids)
    return ids.map { "\($0): \(stars[$0].map { String(format: "%.1f", $0) } ?? "-") stars" }.joined(separator: "\n")
}
router.get("products/:id") { _, context -> String in
    guard let id = context.parameters.get("id", as: Int.self), let product = try await catalog.product(id) else { throw HTTPError(.notFound) }
    return "\(product.name): \(product.priceCents) cents, \(product.stock) in stock"
}
router.post("checkout") { request, context -> Response in
    let order = try await request.decode(as: CheckoutRequest.self, context: context)
    guard let product = try await catalog.product(order.product) else { throw HTTPError(.notFound) }
    let total = product.priceCents * order.quantity
    Telltale.configureScope { $0.tags["product"] = product.name }
    guard product.stock >= order.quantity else {
        telltale.capture(OutOfStock(product: product.name), .severity(.medium), .category(.businessLogic), .component("inventory"),
                         .endpoint("/checkout"), .businessImpact(.experienceDegrading), .revenueImpact(Double(total) / 100))
        return Response(status: .conflict)
    }
    do {
        let charge = try await gateway.charge(cents: total)
        logger.info("charged", metadata: ["charge": "\(charge)", "cents": "\(total)"])
        return Response(status: .created, body: .init(byteBuffer: ByteBuffer(string: charge)))
    } catch {
        // The customer could not pay: the money is lost unless this is fixed.
        telltale.capture(error, .severity(.high), .category(.payment), .component("payment-provider"), .endpoint("/checkout"),
                         .businessImpact(.revenueBlocking), .revenueImpact(Double(total) / 100))
        return Response(status: .serviceUnavailable)
    }
}
router.post("admin/payment-provider/down") { _, _ -> HTTPResponse.Status in
    gateway.setDown(true)
    return .noContent
}
router.post("admin/payment-provider/up") { _, _ -> HTTPResponse.Status in
    gateway.setDown(false)
    return .noContent
}
router.get("boom") { _, _ -> String in
    logger.warning("about to read a corrupted inventory file")
    throw InventoryCorrupted()
}

/// A scheduled job (every minute here), reported as cron check-ins.
struct NightlyReport: Service {
    let client: TelltaleClient
    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                _ = try? await client.withMonitor(slug: "shop-report", schedule: .interval(1, unit: "minute")) {
                    try await withSpan("build report") { _ in _ = try await catalog.allIDs() }
                }
                try await Task.sleep(for: .seconds(60))
            }
        }
    }
}

let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: Int(environment["PORT"] ?? "") ?? 8700)),
                      services: [telltale, NightlyReport(client: telltale)], logger: logger)
try await app.runService()
