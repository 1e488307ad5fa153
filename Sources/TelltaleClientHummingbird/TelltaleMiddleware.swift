public import Hummingbird
import HTTPTypes
import SentryProtocol
public import TelltaleClient
import Foundation

/// Hummingbird middleware: each request runs in its own scope (its route as the transaction,
/// a breadcrumb per request), a thrown error or a 5xx answer becomes an event with the
/// request (scrubbed like any event), and the request becomes a transaction with its timing
/// and status, sampled by `tracesSampleRate`.
public struct TelltaleMiddleware<Context: RequestContext>: RouterMiddleware {
    let client: TelltaleClient

    public init(client: TelltaleClient) {
        self.client = client
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = Date()
        return try await Telltale.withScope({ $0.transaction = request.uri.path }) {
            do {
                let response = try await next(request, context)
                finish(request, context: context, start: start, status: response.status, error: nil)
                return response
            } catch {
                let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
                finish(request, context: context, start: start, status: status, error: error)
                throw error
            }
        }
    }

    func finish(_ request: Request, context: Context, start: Date, status: HTTPResponse.Status, error: (any Error)?) {
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
        client.captureTransaction(route, start: start, end: Date(), status: status.code, request: details)
    }

    /// What an event says of its request: method, URL without the query, headers but cookies.
    static func details(_ request: Request) -> JSONObject {
        var headers = JSONObject()
        for field in request.headers where field.name != .cookie { headers[field.name.canonicalName] = .string(field.value) }
        return ["method": .string(request.method.rawValue), "url": .string(request.uri.path), "headers": .object(headers)]
    }
}
