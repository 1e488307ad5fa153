import Dispatch
import Foundation
import Synchronization
public import Hummingbird
import Logging
public import Metrics

/// One log line and the HTTP metrics per request: route pattern (never the raw path or query,
/// which can carry keys), method, status and duration.
public struct RequestTelemetryMiddleware<Context: RequestContext>: RouterMiddleware {
    let factory: any MetricsFactory
    let instruments: InstrumentCache

    /// Records through `factory` (no global metrics bootstrap, so tests stay isolated).
    public init(factory: any MetricsFactory) {
        self.factory = factory
        self.instruments = InstrumentCache()
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        do {
            // Handlers here build whole bodies, so "handled" is a fair end of the request.
            let response = try await next(request, context)
            record(request, context, status: response.status.code, start: start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            record(request, context, status: status, start: start)
            throw error
        }
    }

    private func record(_ request: Request, _ context: Context, status: Int, start: UInt64) {
        let elapsed = DispatchTime.now().uptimeNanoseconds - start
        let route = context.endpointPath ?? "unmatched"
        let (counter, timer) = instruments.instruments(route: route, method: request.method.rawValue, status: status, factory: factory)
        counter.increment()
        timer.recordNanoseconds(Int64(elapsed))
        context.logger.log(
            level: status >= 500 ? .error : .info,
            "Request",
            metadata: [
                "http.method": "\(request.method.rawValue)",
                "http.route": "\(route)",
                "http.status": "\(status)",
                "http.duration_ms": "\(String(format: "%.2f", Double(elapsed) / 1_000_000))",
            ]
        )
    }
}

/// Counters and timers per route, method and status, made once: creating them through the
/// factory on every request costs a registry lookup and label strings each time.
final class InstrumentCache: Sendable {
    private struct Key: Hashable {
        var route: String
        var method: String
        var status: Int
    }

    private let cache = Mutex<[Key: (Counter, Metrics.Timer)]>([:])

    func instruments(route: String, method: String, status: Int, factory: any MetricsFactory) -> (Counter, Metrics.Timer) {
        let key = Key(route: route, method: method, status: status)
        if let found = cache.withLock({ $0[key] }) { return found }
        let made = (
            Counter(label: "telltale.http.requests", dimensions: [("route", route), ("method", method), ("status", String(status))], factory: factory),
            Metrics.Timer(label: "telltale.http.request.duration.seconds", dimensions: [("route", route), ("method", method)], factory: factory)
        )
        cache.withLock { $0[key] = made }
        return made
    }
}
