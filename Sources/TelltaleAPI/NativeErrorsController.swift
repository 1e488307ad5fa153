import Foundation
public import Hummingbird
import NIOCore
import SentryProtocol
public import TelltaleCore
public import TelltaleHTTP
public import TelltaleIngest

/// The native JSON error API and generic error webhooks, for code without a Sentry SDK.
/// Authenticated by the project's client key (`X-Sentry-Auth` or `?sentry_key=`) or by an
/// API token with `event:write` held by a member of the organization.
public struct NativeErrorsController: Sendable {
    let service: IngestService
    let repositories: Repositories
    let maxBodyBytes: Int

    /// Creates the controller.
    public init(service: IngestService, repositories: Repositories, maxBodyBytes: Int) {
        self.service = service
        self.repositories = repositories
        self.maxBodyBytes = maxBodyBytes
    }

    /// Registers the routes.
    public func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        router.post("projects/:org/:project/errors/") { request, context -> Response in
            let body = try await json(request)
            let events: [JSONValue]
            do throws(NativeErrorMapper.Problem) { events = try NativeErrorMapper.errors(fromNative: body) } catch { throw APIError.badRequest(error.description) }
            return try await ingest(events, request, context)
        }
        router.post("projects/:org/:project/webhooks/errors/:source") { request, context -> Response in
            let body = try await json(request)
            let events: [JSONValue]
            do {
                switch context.parameters.get("source") ?? "" {
                case "custom": events = try NativeErrorMapper.errors(fromNative: body)
                case "vercel": events = try NativeErrorMapper.errors(fromVercel: body)
                case let other: throw APIError.notFound("unknown webhook source '\(other.prefix(40))'; supported: custom, vercel")
                }
            } catch let error as NativeErrorMapper.Problem {
                throw APIError.badRequest(error.description)
            }
            return try await ingest(events, request, context)
        }
    }

    private func json(_ request: Request) async throws -> JSONValue {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: maxBodyBytes) } catch {
            throw APIError(.contentTooLarge, "request body exceeds the limit of \(maxBodyBytes) bytes")
        }
        do { return try JSONParser.parse(Array(buffer: buffer)) } catch { throw APIError.badRequest("invalid JSON body: \(error)") }
    }

    private func ingest(_ events: [JSONValue], _ request: Request, _ context: TelltaleRequestContext) async throws -> Response {
        let project = try await authorizedProject(request, context)
        let ids: [String]
        do {
            ids = events.isEmpty ? [] : try await service.ingest(
                events: events, project: project.project, organizationRateLimit: project.organizationRateLimit, clientIP: context.remoteAddress
            )
        } catch {
            var headers: HTTPFields = [:]
            if let retry = error.retryAfter { headers[.retryAfter] = String(retry) }
            throw APIError(.init(code: error.status), error.detail, headers: headers)
        }
        let body = JSONValue.object(["ids": .array(ids.map(JSONValue.string)), "accepted": .int(Int64(ids.count))])
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body.serialized())))
    }

    private func authorizedProject(_ request: Request, _ context: TelltaleRequestContext) async throws -> (project: Project, organizationRateLimit: Int?) {
        try await ProjectCredentials(repositories: repositories, service: service).project(request, context)
    }
}
