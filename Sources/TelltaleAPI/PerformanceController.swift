public import Foundation
public import Hummingbird
import NIOCore
import SentryProtocol
public import TelltaleCore
public import TelltaleHTTP
import TelltalePerformance

/// The performance API: transactions with percentiles, Apdex and user misery; one
/// transaction's chart, spans and samples; slow spans; web vitals; releases; metrics sent
/// without an SDK. Viewers read; members send metrics.
public struct PerformanceController: Sendable {
    let repositories: Repositories
    let reports: PerformanceReports
    let now: @Sendable () -> Date

    public init(repositories: Repositories, now: @escaping @Sendable () -> Date = Date.init) {
        self.repositories = repositories
        reports = PerformanceReports(repositories: repositories)
        self.now = now
    }

    public func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        let authorizer = Authorizer(repositories: repositories)
        @Sendable func project(_ context: TelltaleRequestContext, _ action: Action = .view, scope: Scope = .eventRead) async throws -> Project {
            try await authorizer.project(context.parameters.require("org"), context.parameters.require("project"), try context.requirePrincipal(),
                                         action, scope: scope).1
        }
        @Sendable func window(_ request: Request) throws -> PerformanceWindow {
            let query = request.uri.queryParameters
            if let start = query.get("start"), let end = query.get("end") {
                return try PerformanceWindow(start: start, end: end, environment: query.get("environment"), release: query.get("release"))
            }
            return try PerformanceWindow(period: query.get("statsPeriod"), environment: query.get("environment"), release: query.get("release"), now: now())
        }
        let base = "projects/:org/:project/performance"
        router.get("\(base)/transactions/") { request, context -> JSONBody<[TransactionRow]> in
            let project = try await project(context)
            let sort = request.uri.queryParameters.get("sort")
            if let sort, !TransactionRow.sortColumns.contains(sort.hasPrefix("-") ? String(sort.dropFirst()) : sort) {
                throw APIError.badRequest("sort must be one of \(TransactionRow.sortColumns.joined(separator: ", ")), optionally with a leading -")
            }
            return JSONBody(try await reports.transactions(project, try window(request), sort: sort))
        }
        router.get("\(base)/transactions/:name/") { request, context -> JSONBody<PerformanceReports.TransactionDetail> in
            let project = try await project(context)
            let name = try Self.decoded(context.parameters.require("name"))
            guard let detail = try await reports.transaction(project, name: name, try window(request)) else {
                throw APIError.notFound("no transaction '\(name)' in this window")
            }
            return JSONBody(detail)
        }
        router.get("\(base)/events/:event_id/") { _, context -> JSONBody<Waterfall> in
            let project = try await project(context)
            let id = try context.parameters.require("event_id")
            guard let stored = try await repositories.performance.transaction(projectID: project.id.rawValue, eventID: EventID.normalize(id) ?? id),
                  let waterfall = Waterfall(payload: stored.payload) else { throw APIError.notFound("transaction '\(id)' not found") }
            return JSONBody(waterfall)
        }
        router.get("\(base)/spans/") { request, context -> JSONBody<[SpanRow]> in
            let project = try await project(context)
            let query = request.uri.queryParameters
            let limit = min(500, max(1, Int(query.get("limit") ?? "") ?? 50))
            return JSONBody(try await reports.spans(project, try window(request), op: query.get("op"), sort: query.get("sort"), limit: limit))
        }
        router.get("\(base)/web-vitals/") { request, context -> JSONBody<PerformanceReports.WebVitalsReport> in
            let project = try await project(context)
            let query = request.uri.queryParameters
            return JSONBody(try await reports.webVitals(project, try window(request), segment: query.get("segment").flatMap { $0.isEmpty ? nil : $0 },
                                                        page: query.get("page").flatMap { $0.isEmpty ? nil : $0 }))
        }
        router.post("\(base)/metrics/") { request, context -> Response in
            let project = try await project(context, .triage, scope: .eventWrite)
            let buffer: ByteBuffer
            do { buffer = try await request.body.collect(upTo: 1 << 20) } catch { throw APIError(.contentTooLarge, "request body exceeds the limit of 1048576 bytes") }
            let body: JSONValue
            do { body = try JSONParser.parse(Array(buffer: buffer)) } catch { throw APIError.badRequest("invalid JSON body: \(error)") }
            let metrics = try MetricsIntake.parse(body, now: now())
            let result = try await MetricsIntake(repositories: repositories).record(metrics, project: project, now: now())
            return try JSONBody(result).response(from: request, context: context, status: .accepted)
        }
        router.get("projects/:org/:project/releases/") { request, context -> JSONBody<[ReleaseRow]> in
            let project = try await project(context)
            var window = try window(request)
            if request.uri.queryParameters.get("statsPeriod") == nil { window = try PerformanceWindow(period: "30d", now: now()) }
            return JSONBody(try await reports.releases(project, window))
        }
        router.get("projects/:org/:project/releases/:version/") { request, context -> JSONBody<PerformanceReports.ReleaseDetail> in
            let project = try await project(context)
            let version = try Self.decoded(context.parameters.require("version"))
            var window = try window(request)
            if request.uri.queryParameters.get("statsPeriod") == nil { window = try PerformanceWindow(period: "30d", now: now()) }
            guard let detail = try await reports.release(project, version: version, compareWith: request.uri.queryParameters.get("compare"), window) else {
                throw APIError.notFound("release '\(version)' has no activity in this window")
            }
            return JSONBody(detail)
        }
    }

    /// Path parameters arrive percent-encoded (a transaction name holds slashes, sent as %2F).
    static func decoded(_ text: String) -> String { text.removingPercentEncoding ?? text }
}

/// Any encodable answer, encoded by the context's JSON encoder.
public struct JSONBody<Value: Encodable & Sendable>: ResponseEncodable, Sendable {
    let value: Value

    init(_ value: Value) {
        self.value = value
    }

    public func encode(to encoder: any Encoder) throws {
        try value.encode(to: encoder)
    }

    func response(from request: Request, context: TelltaleRequestContext, status: HTTPResponse.Status) throws -> Response {
        var response = try self.response(from: request, context: context)
        response.status = status
        return response
    }
}
