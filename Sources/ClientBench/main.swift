import Foundation
import TelltaleClient
import SentryProtocol
import Tracing

/// What the Swift client costs the task that calls it: a request that only gets its own scope
/// (a tag and a breadcrumb) and captures nothing, and one that captures an error with options.
/// Sending is not measured: it happens on the client's own task (here into a transport that
/// drops everything, with the sender running).
struct Discard: EnvelopeTransport {
    func send(_ envelope: [UInt8], to url: String, auth: String) async throws -> TransportResponse { TransportResponse(status: 200) }
}

enum Failure: Error { case declined(code: Int) }

let rounds = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 200_000
let client = TelltaleClient(options: try TelltaleOptions(dsn: "http://public@127.0.0.1:9/1", release: "bench@1", queueCapacity: rounds + 10),
                            transport: Discard())
let sender = Task { try await client.run() }

@MainActor func measure(_ label: String, _ n: Int, _ body: @MainActor () async -> Void) async {
    for _ in 0..<min(n, 1_000) { await body() }  // warm up
    let start = ContinuousClock.now
    for _ in 0..<n { await body() }
    let elapsed = ContinuousClock.now - start
    let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
    print("\(label)_us=\(String(format: "%.3f", nanoseconds / Double(n) / 1000))")
}

print("rounds=\(rounds)")
await measure("request_capturing_nothing", rounds) {
    await Telltale.withScope({ $0.tags["route"] = "/orders/{id}" }) {
        Telltale.addBreadcrumb(Breadcrumb("GET /orders/42", category: "http"))
    }
}
// What the Hummingbird middleware does around a request that captures nothing, without the
// HTTP: a span in its own context and scope, the route and status set, release health
// counted, the span ended (unsampled, as with the default tracesSampleRate of 0).
let tracer = TelltaleTracer(client: client)
await measure("request_with_a_span_capturing_nothing", rounds) {
    let span = tracer.startSpan("/orders/42", context: .topLevel, ofKind: .server)
    await ServiceContext.withValue(span.context) {
        await Telltale.withScope({ $0.transaction = "/orders/42" }) {
            Telltale.configureScope { $0.transaction = "GET /orders/{id}" }
            client.recordRequestSession(errored: false)
            span.operationName = "GET /orders/{id}"
            span.attributes["http.response.status_code"] = Int64(200)
            span.end()
        }
    }
}
await measure("request_capturing_an_error", rounds / 10) {
    await Telltale.withScope({ $0.tags["route"] = "/orders/{id}" }) {
        _ = client.capture(Failure.declined(code: 51), .severity(.high), .category(.payment), .component("checkout"), .businessImpact(.revenueBlocking), .revenueImpact(40))
    }
}
_ = await client.flush(timeout: .seconds(30))
sender.cancel()
let builder = EventBuilder(options: client.options)
await measure("building_the_event_only", rounds / 10) {
    _ = builder.error(Failure.declined(code: 51), scope: Telltale.scope, options: [.severity(.high), .component("checkout")],
                      at: .init(file: "a.swift", function: "f()", line: 1), id: "0123456789abcdef0123456789abcdef", now: Date())
}
