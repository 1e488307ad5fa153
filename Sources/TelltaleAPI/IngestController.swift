import Foundation
public import Hummingbird
import Logging
import NIOCore
public import TelltaleHTTP
import HTTPTypes
public import TelltaleIngest

/// The Sentry ingest endpoints: `POST /api/{project_id}/envelope/` and `/store/`, with CORS
/// for browser SDKs. Thin: it hands the body to ``IngestService`` and renders the answer.
public struct IngestController: Sendable {
    let service: IngestService
    let maxBodyBytes: Int

    /// Creates the controller; bodies larger than `maxBodyBytes` on the wire are refused (413).
    public init(service: IngestService, maxBodyBytes: Int) {
        self.service = service
        self.maxBodyBytes = maxBodyBytes
    }

    static let allowedHeaders = "x-sentry-auth, x-requested-with, x-forwarded-for, origin, referer, accept, content-type, authentication, authorization, content-encoding, transfer-encoding"
    static let exposedHeaders = "x-sentry-error, x-sentry-rate-limits, retry-after"

    /// Registers the routes.
    public func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        for (name, endpoint) in [("envelope", IngestRequest.Endpoint.envelope), ("store", .store)] {
            router.post("api/:project_id/\(name)/") { request, context in
                await handle(request, context, endpoint: endpoint)
            }
            router.on("api/:project_id/\(name)/", method: .options) { _, _ in
                Response(status: .ok, headers: [
                    .accessControlAllowOrigin: "*",
                    .accessControlAllowMethods: endpoint == .store ? "GET, POST" : "POST",
                    .accessControlAllowHeaders: Self.allowedHeaders,
                    .accessControlMaxAge: "3600",
                ])
            }
        }
    }

    private func handle(_ request: Request, _ context: TelltaleRequestContext, endpoint: IngestRequest.Endpoint) async -> Response {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maxBodyBytes)
        } catch {
            return failure(IngestFailure(413, "request body exceeds the limit of \(maxBodyBytes) bytes"), context)
        }
        var authHeader = request.headers[.xSentryAuth]
        if authHeader == nil, let authorization = request.headers[.authorization], authorization.lowercased().hasPrefix("sentry ") {
            authHeader = authorization
        }
        var query: [String: String] = [:]
        for (name, value) in request.uri.queryParameters where name.hasPrefix("sentry_") { query[String(name)] = String(value) }
        let ingestRequest = IngestRequest(
            endpoint: endpoint,
            projectID: context.parameters.get("project_id") ?? "",
            body: body,
            contentEncoding: request.headers[.contentEncoding],
            contentType: request.headers[.contentType],
            authHeader: authHeader,
            query: query,
            clientIP: request.headers[.xForwardedFor].flatMap { $0.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) } }
                ?? context.remoteAddress
        )
        do throws(IngestFailure) {
            let receipt = try await service.ingest(ingestRequest)
            var headers: HTTPFields = [.contentType: "application/json", .accessControlAllowOrigin: "*", .accessControlExposeHeaders: Self.exposedHeaders]
            if let limits = receipt.rateLimits { headers[.xSentryRateLimits] = limits }
            let text = receipt.eventID.map { #"{"id":""# + $0 + #""}"# } ?? "{}"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        } catch {
            return failure(error, context)
        }
    }

    private func failure(_ failure: IngestFailure, _ context: TelltaleRequestContext) -> Response {
        context.logger.notice("Ingest request refused", metadata: ["http.status": "\(failure.status)", "reason": "\(failure.detail)"])
        var headers: HTTPFields = [
            .contentType: "application/json", .accessControlAllowOrigin: "*", .accessControlExposeHeaders: Self.exposedHeaders,
            .xSentryError: String(failure.detail.prefix(200)),
        ]
        if let retryAfter = failure.retryAfter { headers[.retryAfter] = String(retryAfter) }
        if let limits = failure.rateLimits { headers[.xSentryRateLimits] = limits }
        let body = "{\"detail\":" + JSONText.quoted(failure.detail) + "}"
        return Response(status: .init(code: failure.status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

extension HTTPField.Name {
    static let xSentryAuth = Self("X-Sentry-Auth")!
    static let xSentryError = Self("X-Sentry-Error")!
    static let xSentryRateLimits = Self("X-Sentry-Rate-Limits")!
    static let xForwardedFor = Self("X-Forwarded-For")!
}
