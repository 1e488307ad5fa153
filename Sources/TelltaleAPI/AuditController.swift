import Foundation
public import Hummingbird
public import TelltaleCore
public import TelltaleHTTP

/// The audit log, read-only: `GET /api/0/organizations/{org}/audit-log/` for the organization's
/// owners and admins, `GET /api/0/audit-log/` for system administrators (every entry). Both take
/// `?actor=` (an email), `?action=` (a name, or a prefix ending in `.`), `?since=` (unix seconds
/// or RFC 3339) and `?cursor=`. Nothing deletes entries but retention.
public struct AuditController: Sendable {
    let repositories: Repositories

    public init(repositories: Repositories) {
        self.repositories = repositories
    }

    public func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        let authorizer = Authorizer(repositories: repositories)
        router.get("organizations/:org/audit-log/") { request, context -> Response in
            let principal = try context.requirePrincipal()
            let organization = try await authorizer.organization(context.parameters.require("org"), principal, .manage, scope: .orgAdmin)
            return try await page(request, context, organization: organization.id)
        }
        router.get("audit-log/") { request, context -> Response in
            let principal = try context.requirePrincipal()
            guard principal.user.isSystemAdmin, principal.tokenScopes.map({ $0.contains(.orgAdmin) }) ?? true else {
                throw APIError.forbidden("the installation's audit log is for system administrators (with scope org:admin)")
            }
            return try await page(request, context, organization: nil)
        }
    }

    func page(_ request: Request, _ context: TelltaleRequestContext, organization: OrganizationID?) async throws -> Response {
        let parameters = request.uri.queryParameters
        let limit = 100
        var filter = AuditFilter(organizationID: organization, actor: parameters.get("actor"), action: parameters.get("action"), limit: limit)
        filter.since = try parameters.get("since").map { try StatsController.time($0, "since") }
        if let cursor = parameters.get("cursor") {
            guard let id = Int64(cursor), id > 0 else { throw APIError.badRequest("cursor must be the cursor of a previous page") }
            filter.beforeID = id
        }
        let entries = try await repositories.audit.entries(filter)
        let next = entries.count == limit ? entries.last.map { String($0.id) } : nil
        return try IssuesController.json(entries.map(AuditEntryBody.init), request: request, context: context, next: next)
    }
}

/// One audit entry as the API returns it.
struct AuditEntryBody: Codable, ResponseEncodable {
    var id: String
    var organizationID: String?
    var dateCreated: Date
    var actor: String
    var actorID: String?
    var action: String
    var targetType: String
    var targetID: String?
    var changes: [AuditChange]
    var ipAddress: String?
    var userAgent: String?

    init(_ entry: AuditEntry) {
        id = String(entry.id)
        organizationID = entry.organizationID?.description
        dateCreated = entry.at
        actor = entry.actor
        actorID = entry.actorUserID?.description
        action = entry.action
        targetType = entry.targetType
        targetID = entry.targetID
        changes = entry.changes
        ipAddress = entry.address
        userAgent = entry.userAgent
    }
}
