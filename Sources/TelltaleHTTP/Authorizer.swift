public import TelltaleCore

/// Finds the organization or project a route names and checks that the caller may act on it.
/// A caller who may not even view it gets 404, so names of other tenants do not leak.
public struct Authorizer: Sendable {
    let repositories: Repositories

    public init(repositories: Repositories) {
        self.repositories = repositories
    }

    public func organization(_ slugText: String, _ principal: Principal, _ action: Action, scope: Scope) async throws -> Organization {
        try await organizationAndRole(slugText, principal, action, scope: scope).0
    }

    /// The organization and the caller's role in it (`nil` for a system administrator who is not a member).
    public func organizationAndRole(_ slugText: String, _ principal: Principal, _ action: Action, scope: Scope) async throws -> (Organization, Role?) {
        guard let slug = try? Slug(slugText), let organization = try await repositories.organizations.organization(slug: slug) else {
            throw APIError.notFound("organization '\(slugText)' not found")
        }
        let role = try await check(principal, action, scope: scope, in: organization, hidden: APIError.notFound("organization '\(slugText)' not found"))
        return (organization, role)
    }

    /// Throws `hidden` when the caller may not even view the organization, 403 when it may
    /// view but not do this.
    @discardableResult
    public func check(_ principal: Principal, _ action: Action, scope: Scope, in organization: Organization, hidden: APIError) async throws -> Role? {
        let role = try await repositories.organizations.role(of: principal.user.id, in: organization.id)
        guard AccessPolicy.allows(principal, .view, role: role, scope: Self.readScope(for: scope)) else { throw hidden }
        guard AccessPolicy.allows(principal, action, role: role, scope: scope) else {
            throw APIError.forbidden("you do not have permission to do this (needs \(action.minimumRole.rawValue) and scope \(scope.rawValue))")
        }
        AuditScope.current?.note(organization.id)
        return role
    }

    public func project(_ orgSlug: String, _ projectSlug: String, _ principal: Principal, _ action: Action, scope: Scope) async throws -> (Organization, Project) {
        let organization = try await self.organization(orgSlug, principal, action, scope: scope)
        guard let slug = try? Slug(projectSlug), let project = try await repositories.projects.project(organizationID: organization.id, slug: slug) else {
            throw APIError.notFound("project '\(projectSlug)' not found")
        }
        return (organization, project)
    }

    /// The read scope of the same resource (`project:write` → `project:read`).
    public static func readScope(for scope: Scope) -> Scope {
        let resource = scope.rawValue.split(separator: ":")[0]
        return Scope(rawValue: "\(resource):read") ?? scope
    }
}

extension Authorizer {
    /// The issue a route names (following merges), with its project and organization.
    public func issue(_ idText: String, _ principal: Principal, _ action: Action, scope: Scope) async throws -> (Organization, Project, Issue) {
        guard let id = Int64(idText), let issue = try await repositories.issues.issue(id: id),
              let project = try await repositories.projects.project(id: issue.projectID),
              let organization = try await repositories.organizations.organization(id: project.organizationID)
        else { throw APIError.notFound("issue '\(idText)' not found") }
        try await check(principal, action, scope: scope, in: organization, hidden: APIError.notFound("issue '\(idText)' not found"))
        return (organization, project, issue)
    }
}

extension Authorizer {
    /// Something a route names by id that belongs to an organization (a monitor, a status page),
    /// with that organization, after checking the caller may do `action` there. `what` names
    /// it in the 404, which is also the answer when the caller may not even view it.
    public func owned<Thing: Sendable>(_ what: String, _ idText: String, _ principal: Principal, _ action: Action, scope: Scope,
                                       find: (Int64) async throws -> Thing?, organizationOf: (Thing) -> OrganizationID) async throws -> (Organization, Thing) {
        let hidden = APIError.notFound("\(what) '\(idText)' not found")
        guard let id = Int64(idText), let thing = try await find(id),
              let organization = try await repositories.organizations.organization(id: organizationOf(thing)) else { throw hidden }
        try await check(principal, action, scope: scope, in: organization, hidden: hidden)
        return (organization, thing)
    }
}
