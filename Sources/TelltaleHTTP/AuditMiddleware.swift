public import Foundation
import HTTPTypes
public import Hummingbird
import Logging
public import TelltaleCore

/// Records every administrative action of the group it is added to in the audit log, after its
/// answer: who (the signed-in user or token's owner), what (named from method and path by
/// `AuditAction`), the changed fields with secrets masked, and from where. On the REST API
/// the `reader` reads the resource before and after through the router, so changes show as
/// before/after; dashboard forms record the fields submitted. Recording never fails a request.
public struct AuditMiddleware: RouterMiddleware {
    public typealias Context = TelltaleRequestContext
    let repositories: Repositories
    let reader: AuditReader?
    let now: @Sendable () -> Date

    public init(repositories: Repositories, reader: AuditReader? = nil, now: @escaping @Sendable () -> Date = Date.init) {
        self.repositories = repositories
        self.reader = reader
        self.now = now
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard ![.get, .head, .options].contains(request.method) else { return try await exports(request, context, next) }
        var request = request
        var submitted: [(String, String)] = []
        if request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true {
            submitted = Form(encoded: Substring(String(buffer: try await request.collectBody(upTo: Form.maxBytes)))).fields
        }
        let path = request.uri.path
        // The resource as it was, when the path names one (`…/monitors/4/` or `…/monitors/4/pause`).
        let guess = AuditAction.describe(method: request.method.rawValue, path: path, status: 200)
        let before: [String: String]? = if let reader, let guess, guess.targetID != nil {
            await reader.object(at: guess.resourcePath, for: request, context: context)
        } else { nil }
        let scope = AuditScope()
        let response: Response
        do {
            response = try await AuditScope.$current.withValue(scope) { try await next(request, context) }
        } catch {
            if let status = (error as? any HTTPResponseError)?.status.code, status == 401 || status == 429 {
                await record(request, context, status: status, submitted: submitted, changes: [], organization: scope.organization)
            }
            throw error
        }
        guard var described = AuditAction.describe(method: request.method.rawValue, path: path, status: response.status.code) else { return response }
        var changes = AuditChanges.submitted(submitted)
        var answer = response
        if let reader {
            var after: [String: String]?
            if described.action.hasSuffix(".delete") {
                after = [:]
            } else if before != nil {
                after = await reader.object(at: described.resourcePath, for: request, context: context)
            } else if response.headers[.contentType]?.hasPrefix("application/json") == true, let length = response.body.contentLength, length <= 1 << 20 {
                // A created thing: its fields are in the answer, read whole and replayed.
                let (bytes, replay) = await AuditReader.collect(response.body)
                answer.body = replay
                after = AuditReader.flatten(bytes)
            }
            if let after {
                changes = AuditChanges.diff(before: before ?? [:], after: after)
                // A created thing is named by the id in its answer.
                if described.targetID == nil { described.targetID = after["id"] }
            }
        }
        await record(request, context, status: response.status.code, submitted: submitted, changes: changes, organization: scope.organization, described: described)
        return answer
    }

    /// A read answered as a download (`Content-Disposition: attachment`) is an export.
    private func exports(_ request: Request, _ context: Context, _ next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get else { return try await next(request, context) }
        let scope = AuditScope()
        let response = try await AuditScope.$current.withValue(scope) { try await next(request, context) }
        guard response.status == .ok, response.headers[.contentDisposition]?.hasPrefix("attachment") == true,
              let described = AuditAction.describe(method: "EXPORT", path: request.uri.path, status: 200) else { return response }
        await record(request, context, status: 200, submitted: [], changes: [], organization: scope.organization, described: described)
        return response
    }

    private func record(_ request: Request, _ context: Context, status: Int, submitted: [(String, String)], changes: [AuditChange],
                        organization found: OrganizationID?, described: AuditAction.Described? = nil) async {
        guard let described = described ?? AuditAction.describe(method: request.method.rawValue, path: request.uri.path, status: status) else { return }
        do {
            var organization = found
            if organization == nil, let slugText = described.organizationSlug, let slug = try? Slug(slugText) {
                organization = try await repositories.organizations.organization(slug: slug)?.id
            }
            let typedEmail = submitted.first { $0.0 == "email" }?.1.trimmingCharacters(in: .whitespaces).lowercased()
            let actor = context.principal?.user.email ?? typedEmail.flatMap { $0.isEmpty ? nil : String($0.prefix(320)) } ?? "anonymous"
            var address = context.remoteAddress
            if let forwarded = request.headers[.xForwardedFor]?.split(separator: ",").first?.trimmingCharacters(in: .whitespaces) {
                address = "\(address ?? "unknown") (forwarded for \(forwarded))"
            }
            try await repositories.audit.record(AuditEntry(
                organizationID: organization, at: now(), actorUserID: context.principal?.user.id, actor: actor, action: described.action,
                targetType: described.targetType, targetID: described.targetID, changes: changes, address: address,
                userAgent: request.headers[.userAgent]))
        } catch {
            context.logger.error("Could not record an audit entry", metadata: ["audit.action": "\(described.action)", "error": "\(error)"])
        }
    }
}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}
