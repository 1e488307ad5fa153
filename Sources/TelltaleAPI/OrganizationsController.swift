public import Hummingbird
public import TelltaleCore
public import TelltaleHTTP

/// `/api/0/organizations/…`: organizations and their projects.
public struct OrganizationsController: Sendable {
    let accounts: AccountService
    let repositories: Repositories
    let publicURL: String

    /// Creates the controller; `publicURL` is the base the DSNs point to.
    public init(accounts: AccountService, repositories: Repositories, publicURL: String) {
        self.accounts = accounts
        self.repositories = repositories
        self.publicURL = publicURL
    }

    /// Registers the routes.
    public func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        let authorizer = Authorizer(repositories: repositories)
        router.get("organizations/") { _, context -> [OrganizationBody] in
            let principal = try context.requirePrincipal()
            guard AccessPolicy.allows(principal, .view, role: .viewer, scope: .orgRead) else {
                throw APIError.forbidden("token lacks scope org:read")
            }
            if principal.user.isSystemAdmin {
                return try await repositories.organizations.all().map(OrganizationBody.init)
            }
            return try await repositories.organizations.memberships(of: principal.user.id).map { OrganizationBody($0.0) }
        }
        router.post("organizations/") { request, context -> EditedResponse<OrganizationBody> in
            let principal = try context.requirePrincipal()
            // Creating a tenant is a system administrator's act on a shared server.
            guard AccessPolicy.allows(principal, .own, role: nil, scope: .orgAdmin) else {
                throw APIError.forbidden("only system administrators may create organizations")
            }
            let body = try await request.decode(as: CreateOrganizationBody.self, context: context)
            let organization = try await accounts.createOrganization(slug: body.slug, name: body.name, owner: principal.user.id)
            return EditedResponse(status: .created, response: OrganizationBody(organization))
        }
        router.get("organizations/:org/") { _, context -> OrganizationBody in
            let principal = try context.requirePrincipal()
            return OrganizationBody(try await authorizer.organization(context.parameters.require("org"), principal, .view, scope: .orgRead))
        }
        router.get("organizations/:org/projects/") { _, context -> [ProjectBody] in
            let principal = try context.requirePrincipal()
            let organization = try await authorizer.organization(context.parameters.require("org"), principal, .view, scope: .projectRead)
            return try await repositories.projects.projects(organizationID: organization.id).map { ProjectBody($0, in: organization) }
        }
        router.post("organizations/:org/projects/") { request, context -> EditedResponse<ProjectBody> in
            let principal = try context.requirePrincipal()
            let organization = try await authorizer.organization(context.parameters.require("org"), principal, .manage, scope: .projectWrite)
            let body = try await request.decode(as: CreateProjectBody.self, context: context)
            let (project, _) = try await accounts.createProject(organizationID: organization.id, slug: body.slug, name: body.name, platform: body.platform)
            return EditedResponse(status: .created, response: ProjectBody(project, in: organization))
        }
        router.get("projects/:org/:project/keys/") { _, context -> [ClientKeyBody] in
            let principal = try context.requirePrincipal()
            let (_, project) = try await authorizer.project(
                context.parameters.require("org"), context.parameters.require("project"), principal, .view, scope: .projectRead
            )
            return try await repositories.projects.keys(projectID: project.id).map { ClientKeyBody($0, publicURL: publicURL) }
        }
    }
}

extension OrganizationBody: ResponseCodable {}
extension ProjectBody: ResponseCodable {}
extension ClientKeyBody: ResponseCodable {}
