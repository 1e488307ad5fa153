import Dispatch
import Foundation
public import Hummingbird
import Logging
public import Metrics

/// One log line and the HTTP metrics per request: route pattern (never the raw path or query,
/// which can carry keys), method, status and duration.
public struct RequestTelemetryMiddleware<Context: RequestContext>: RouterMiddleware {
    let factory: any MetricsFactory

    /// Records through `factory` (no global metrics bootstrap, so tests stay isolated).
    public init(factory: any MetricsFactory) {
        self.factory = factory
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
        let dimensions = [("route", route), ("method", request.method.rawValue), ("status", String(status))]
        Counter(label: "telltale.http.requests", dimensions: dimensions, factory: factory).increment()
        Metrics.Timer(label: "telltale.http.request.duration.seconds", dimensions: [("route", route), ("method", request.method.rawValue)], factory: factory)
            .recordNanoseconds(Int64(elapsed))
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
