public import Hummingbird
import HTTPTypes
import SentryProtocol
public import TelltaleClient
import Foundation
import Tracing

/// Hummingbird middleware: each request runs in its own scope and its own trace (continuing
/// one from `sentry-trace` or `traceparent`), a thrown error or a 5xx answer becomes an
/// event with the request (scrubbed like any event), and the request becomes a transaction
/// named by its route, with the spans started while it ran (database queries and HTTP calls
/// through a bootstrapped ``TelltaleTracer``), sampled by `tracesSampleRate`. Each request is
/// also counted for release health when the client has a `release`.
public struct TelltaleMiddleware<Context: RequestContext>: RouterMiddleware {
    let client: TelltaleClient
    let tracer: TelltaleTracer

    public init(client: TelltaleClient) {
        self.client = client
        tracer = TelltaleTracer(client: client)
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var serviceContext = ServiceContext.current ?? .topLevel
        tracer.extract(request.headers, into: &serviceContext, using: HeaderExtractor())
        let span = tracer.startSpan(request.uri.path, context: serviceContext, ofKind: .server)
        return try await ServiceContext.withValue(span.context) {
            try await Telltale.withScope({ $0.transaction = request.uri.path }) {
                do {
                    let response = try await next(request, context)
                    finish(request, context: context, span: span, status: response.status, error: nil)
                    return response
                } catch {
                    let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
                    finish(request, context: context, span: span, status: status, error: error)
                    throw error
                }
            }
        }
    }

    func finish(_ request: Request, context: Context, span: TelltaleSpan, status: HTTPResponse.Status, error: (any Error)?) {
        let route = "\(request.method.rawValue) \(context.endpointPath ?? request.uri.path)"
        let details = Self.details(request)
        Telltale.configureScope { $0.transaction = route; $0.contexts["request"] = details }
        if status.code >= 500 {
            if let error {
                client.capture(error, .endpoint(route), .context("request", details))
            } else {
                client.capture(message: "\(status.code) \(status.reasonPhrase) from \(route)", level: .error, [.endpoint(route), .context("request", details)])
            }
        }
        client.recordRequestSession(errored: status.code >= 500)
        span.operationName = route
        span.attributes["http.request.method"] = request.method.rawValue
        span.attributes["http.response.status_code"] = Int64(status.code)
        span.setRequest(details)
        span.end()
    }

    /// What an event says of its request: method, URL without the query, headers but cookies.
    static func details(_ request: Request) -> JSONObject {
        var headers = JSONObject()
        for field in request.headers where field.name != .cookie { headers[field.name.canonicalName] = .string(field.value) }
        return ["method": .string(request.method.rawValue), "url": .string(request.uri.path), "headers": .object(headers)]
    }
}

/// Reads trace headers from a request.
struct HeaderExtractor: Extractor {
    func extract(key: String, from carrier: HTTPFields) -> String? {
        HTTPField.Name(key).flatMap { carrier[$0] }
    }
}
