public import Foundation
public import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import SentryProtocol
public import TelltaleCore
public import TelltaleHTTP
public import TelltaleIngest
import TelltaleBusiness

/// User reports: filed from anyone's browser with a project's public key (the widget), or by
/// staff with a token; read and triaged by the organization's members. A report resolved with
/// an email address is answered by `reply` (the installation's mail server, when it has one).
public struct UserReportsController: Sendable {
    let repositories: Repositories
    let service: IngestService
    let reply: @Sendable (UserReport, Organization) async -> Void
    let now: @Sendable () -> Date

    /// Three screenshots of 5 MB in base64, and the text.
    public static let maxBodyBytes = 21 << 20

    public init(repositories: Repositories, service: IngestService, reply: @escaping @Sendable (UserReport, Organization) async -> Void = { _, _ in },
                now: @escaping @Sendable () -> Date = Date.init) {
        self.repositories = repositories
        self.service = service
        self.reply = reply
        self.now = now
    }

    /// A report as sent: the draft's fields and up to three screenshots (`data` in base64, or a
    /// `data:` URL as a browser's FileReader gives it).
    struct Input: Decodable {
        struct Shot: Decodable { var filename: String?; var data: String }
        var draft: UserReportDraft
        var screenshots: [Shot]
        var project: String?

        enum CodingKeys: String, CodingKey { case screenshots, project }

        init(from decoder: any Decoder) throws {
            draft = try UserReportDraft(from: decoder)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            screenshots = try c.decodeIfPresent([Shot].self, forKey: .screenshots) ?? []
            project = try c.decodeIfPresent(String.self, forKey: .project)
        }

        /// The screenshots' bytes, each proven PNG or JPEG.
        func images() throws(ValidationError) -> [(filename: String, contentType: String, data: [UInt8])] {
            guard screenshots.count <= Screenshot.maxCount else {
                throw ValidationError(field: "screenshots", reason: "has \(screenshots.count), at most \(Screenshot.maxCount)")
            }
            return try screenshots.enumerated().map { (index, shot) throws(ValidationError) in
                let text = shot.data.hasPrefix("data:") ? String(shot.data.drop { $0 != "," }.dropFirst()) : shot.data
                guard let bytes = Data(base64Encoded: text, options: .ignoreUnknownCharacters) else {
                    throw ValidationError(field: "screenshots[\(index)].data", reason: "must be base64")
                }
                let type = try Screenshot.check(bytes, index: index)
                let name = (shot.filename ?? "").split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
                return (name.isEmpty ? "screenshot-\(index + 1)" : String(name.prefix(200)), type, Array(bytes))
            }
        }
    }

    static func decode(_ request: Request) async throws -> Input {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: maxBodyBytes) } catch {
            throw APIError(.contentTooLarge, "request body exceeds the limit of \(maxBodyBytes) bytes")
        }
        do {
            return try JSONDecoder().decode(Input.self, from: Data(buffer.readableBytesView))
        } catch let error as ValidationError {
            throw error
        } catch {
            throw APIError.badRequest("invalid JSON body: a report is an object with title, description and the other fields as text")
        }
    }

    /// The widget's endpoint, at the root next to ingest: the project's key, CORS, and a rate
    /// limit per key and per address. Errors carry CORS headers too, so the widget can show them.
    public func addPublicRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        let cors: HTTPFields = [.accessControlAllowOrigin: "*", .accessControlExposeHeaders: "retry-after"]
        router.post("api/:project_id/user-reports/") { request, context -> Response in
            do {
                return try await fileFromWidget(request, context, headers: cors)
            } catch let error as any HTTPResponseError {
                var response = try error.response(from: request, context: context)
                response.headers.append(contentsOf: cors)
                return response
            } catch let error as ValidationError {
                context.logger.notice("User report refused", metadata: ["reason": "\(error)"])
                var response = try APIError.badRequest(error.description).response(from: request, context: context)
                response.headers.append(contentsOf: cors)
                return response
            }
        }
        router.on("api/:project_id/user-reports/", method: .options) { _, _ in
            Response(status: .ok, headers: [
                .accessControlAllowOrigin: "*", .accessControlAllowMethods: "POST",
                .accessControlAllowHeaders: "content-type, x-sentry-auth", .accessControlMaxAge: "3600",
            ])
        }
    }

    func fileFromWidget(_ request: Request, _ context: TelltaleRequestContext, headers: HTTPFields) async throws -> Response {
        guard let number = Int64(context.parameters.get("project_id") ?? "") else { throw APIError.notFound("project not found") }
        let key = request.headers[.xSentryAuth].flatMap(SentryAuth.parse(header:))?.publicKey ?? request.uri.queryParameters.get("sentry_key")
        guard let key else { throw APIError.unauthorized("send the project's public key (X-Sentry-Auth or ?sentry_key=)") }
        let grant: KeyGrant
        do {
            grant = try await service.grant(publicKey: String(key), projectID: ProjectID(number))
            let address = request.headers[.xForwardedFor].flatMap { $0.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) } } ?? context.remoteAddress
            try service.admitUserReport(grant: grant, address: address, now: now().timeIntervalSince1970)
        } catch {
            context.logger.notice("User report refused", metadata: ["project.id": "\(number)", "status": "\(error.status)", "reason": "\(error.detail)"])
            var refusal = APIError(.init(code: error.status), error.detail)
            if let retry = error.retryAfter { refusal.headers[.retryAfter] = String(retry) }
            throw refusal
        }
        let input = try await Self.decode(request)
        var draft = input.draft
        if draft.browser == nil { draft.browser = request.headers[.userAgent].map { String($0.prefix(500)) } }
        let report = try await repositories.userReports.create(projectID: grant.project.id, organizationID: grant.project.organizationID, draft,
                                                               source: "widget", screenshots: try input.images(), now: now())
        context.logger.info("User report filed", metadata: ["report.id": "\(report.id)", "project.id": "\(grant.project.id)"])
        let body = JSONValue.object(["id": .string(String(report.id)), "status": .string(report.status.rawValue),
                                     "issue": report.issueID.map { .string(String($0)) } ?? .null])
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: .created, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body.serialized())))
    }

    public func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        let authorizer = Authorizer(repositories: repositories)
        @Sendable func report(_ context: TelltaleRequestContext, _ action: Action) async throws -> (Organization, Project, UserReport) {
            let (organization, found) = try await authorizer.owned("user report", context.parameters.require("id"), try context.requirePrincipal(), action,
                                                                   scope: action == .view ? .eventRead : .eventWrite,
                                                                   find: { id -> (UserReport, Project)? in
                guard let report = try await repositories.userReports.report(id: id), let project = try await repositories.projects.project(id: report.projectID) else { return nil }
                return (report, project)
            }, organizationOf: { $0.1.organizationID })
            return (organization, found.1, found.0)
        }

        router.get("organizations/:org/user-reports/") { request, context -> JSONBody<[UserReportBody]> in
            let organization = try await authorizer.organization(context.parameters.require("org"), try context.requirePrincipal(), .view, scope: .eventRead)
            let projects = try await repositories.projects.projects(organizationID: organization.id)
            let filter = try UserReportQuery.filter(request.uri.queryParameters, projects: projects)
            let reports = try await repositories.userReports.reports(filter)
            return JSONBody(try await UserReportBody.list(reports, projects: projects, repositories: repositories))
        }
        // Staff file reports for customers (a phone call, an email) with a token.
        router.post("organizations/:org/user-reports/") { request, context -> Response in
            let input = try await Self.decode(request)
            let organization = try await authorizer.organization(context.parameters.require("org"), try context.requirePrincipal(), .triage, scope: .eventWrite)
            let projects = try await repositories.projects.projects(organizationID: organization.id)
            guard let slug = input.project, let project = projects.first(where: { $0.slug.rawValue == slug }) else {
                throw ValidationError(field: "project", reason: "must name one of the organization's projects by slug")
            }
            let created = try await repositories.userReports.create(projectID: project.id, organizationID: organization.id, input.draft, source: "api",
                                                                    screenshots: try input.images(), now: now())
            context.logger.info("User report filed", metadata: ["report.id": "\(created.id)", "project.id": "\(project.id)"])
            return try JSONBody(try await UserReportBody.list([created], projects: projects, repositories: repositories)[0])
                .response(from: request, context: context, status: .created)
        }
        router.get("user-reports/:id/") { _, context -> JSONBody<UserReportBody> in
            let (_, project, found) = try await report(context, .view)
            return JSONBody(try await UserReportBody.list([found], projects: [project], repositories: repositories)[0])
        }
        router.put("user-reports/:id/") { request, context -> JSONBody<UserReportBody> in
            let change = try await request.decode(as: UserReportChangeInput.self, context: context)
            let (organization, project, found) = try await report(context, .triage)
            let resolved = try await UserReportTriage(repositories: repositories).apply(change, to: found, organization: organization, now: now(), reply: reply)
            context.logger.info("User report triaged", metadata: ["report.id": "\(found.id)", "status": "\(resolved.status.rawValue)"])
            return JSONBody(try await UserReportBody.list([resolved], projects: [project], repositories: repositories)[0])
        }
        router.get("user-reports/:id/screenshots/:screenshot/") { _, context -> Response in
            let (_, _, found) = try await report(context, .view)
            guard let id = Int64(try context.parameters.require("screenshot")),
                  let shot = try await repositories.userReports.screenshot(reportID: found.id, id: id) else { throw APIError.notFound("screenshot not found") }
            return Response.image(contentType: shot.contentType, bytes: shot.data)
        }
    }
}
