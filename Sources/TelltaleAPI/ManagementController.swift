import Foundation
public import Hummingbird
import Logging
public import TelltaleCore
public import TelltaleHTTP

/// Members and roles, the caller's API tokens, client keys and project settings: what the
/// CLI does, over HTTP.
public struct ManagementController: Sendable {
    let accounts: AccountService
    let repositories: Repositories
    let publicURL: String

    public init(accounts: AccountService, repositories: Repositories, publicURL: String) {
        self.accounts = accounts
        self.repositories = repositories
        self.publicURL = publicURL
    }

    public func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        let authorizer = Authorizer(repositories: repositories)
        router.get("organizations/:org/members/") { _, context -> [MemberBody] in
            let principal = try context.requirePrincipal()
            let organization = try await authorizer.organization(context.parameters.require("org"), principal, .view, scope: .memberRead)
            return try await repositories.organizations.members(of: organization.id).map { MemberBody($0.0, role: $0.1) }
        }
        router.post("organizations/:org/members/") { request, context -> EditedResponse<InvitationBody> in
            let principal = try context.requirePrincipal()
            let body = try await request.decode(as: AddMemberBody.self, context: context)
            let organization = try await authorizer.organization(context.parameters.require("org"), principal, .manage, scope: .memberWrite)
            let (invitation, secret) = try await accounts.invite(email: body.email, role: body.role, to: organization.id, by: .principal(principal))
            context.logger.info("Invited a member", metadata: ["organization.id": "\(organization.id)", "invitation.id": "\(invitation.id)"])
            return EditedResponse(status: .created, response: InvitationBody(invitation, inviteURL: Invitation.link(publicURL: publicURL, secret: secret)))
        }
        router.get("organizations/:org/invitations/") { _, context -> [InvitationBody] in
            let principal = try context.requirePrincipal()
            let organization = try await authorizer.organization(context.parameters.require("org"), principal, .manage, scope: .memberRead)
            return try await repositories.invitations.open(organizationID: organization.id, now: Date()).map { InvitationBody($0) }
        }
        router.delete("organizations/:org/invitations/:id/") { _, context -> HTTPResponse.Status in
            let principal = try context.requirePrincipal()
            let organization = try await authorizer.organization(context.parameters.require("org"), principal, .manage, scope: .memberWrite)
            let idText = try context.parameters.require("id")
            guard let id = Int64(idText), try await repositories.invitations.revoke(InvitationID(id), organizationID: organization.id) else {
                throw APIError.notFound("invitation '\(idText)' not found")
            }
            return .noContent
        }
        router.put("organizations/:org/members/:user/") { request, context -> MemberBody in
            let principal = try context.requirePrincipal()
            let body = try await request.decode(as: MemberRoleBody.self, context: context)
            let organization = try await authorizer.organization(context.parameters.require("org"), principal, .manage, scope: .memberWrite)
            let (user, _) = try await member(context, organization)
            try await accounts.changeMember(user.id, to: body.role, in: organization.id, by: .principal(principal))
            return MemberBody(user, role: body.role)
        }
        router.delete("organizations/:org/members/:user/") { _, context -> HTTPResponse.Status in
            let principal = try context.requirePrincipal()
            let organization = try await authorizer.organization(context.parameters.require("org"), principal, .manage, scope: .memberAdmin)
            let (user, _) = try await member(context, organization)
            try await accounts.changeMember(user.id, to: nil, in: organization.id, by: .principal(principal))
            return .noContent
        }
        router.get("api-tokens/") { _, context -> [TokenBody] in
            let principal = try context.requirePrincipal()
            return try await repositories.tokens.tokens(userID: principal.user.id).filter { $0.revokedAt == nil }.map { TokenBody($0) }
        }
        router.post("api-tokens/") { request, context -> EditedResponse<TokenBody> in
            let principal = try context.requirePrincipal()
            let body = try await request.decode(as: CreateTokenBody.self, context: context)
            var scopes = Set<Scope>()
            for name in body.scopes {
                guard let scope = Scope(rawValue: name) else {
                    throw APIError.badRequest("unknown scope '\(name)' (use \(Scope.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                scopes.insert(scope)
            }
            // A token may only make tokens within its own scopes.
            if let held = principal.tokenScopes {
                for scope in scopes where !AccessPolicy.covers(held, scope) {
                    throw APIError.forbidden("this token cannot grant scope \(scope.rawValue)")
                }
            }
            let (token, secret) = try await accounts.issueToken(userID: principal.user.id, name: body.name, scopes: scopes)
            return EditedResponse(status: .created, response: TokenBody(token, secret: secret))
        }
        router.delete("api-tokens/:id/") { _, context -> HTTPResponse.Status in
            let principal = try context.requirePrincipal()
            let idText = try context.parameters.require("id")
            guard let id = Int64(idText),
                  let token = try await repositories.tokens.tokens(userID: principal.user.id).first(where: { $0.id.rawValue == id && $0.revokedAt == nil })
            else { throw APIError.notFound("token '\(idText)' not found") }
            // A narrow token must not take away a wider one (a leaked read token could cut off an admin's).
            if let held = principal.tokenScopes, let wider = token.scopes.first(where: { !AccessPolicy.covers(held, $0) }) {
                throw APIError.forbidden("this token cannot revoke a token with scope \(wider.rawValue)")
            }
            try await repositories.tokens.revoke(id: APITokenID(id))
            return .noContent
        }
        router.get("projects/:org/:project/") { _, context -> ProjectDetailBody in
            let principal = try context.requirePrincipal()
            let (organization, project) = try await authorizer.project(
                context.parameters.require("org"), context.parameters.require("project"), principal, .view, scope: .projectRead
            )
            return ProjectDetailBody(project: ProjectBody(project, in: organization), settings: project.settings)
        }
        router.put("projects/:org/:project/") { request, context -> ProjectDetailBody in
            let principal = try context.requirePrincipal()
            let (organization, project) = try await authorizer.project(
                context.parameters.require("org"), context.parameters.require("project"), principal, .manage, scope: .projectWrite
            )
            let body = try await request.decode(as: UpdateProjectBody.self, context: context)
            var settings = project.settings
            if let rate = body.sampleRate {
                guard (0...1).contains(rate) else { throw APIError.badRequest("sampleRate must be between 0 and 1") }
                settings.sampleRate = rate
            }
            if let days = body.retentionDays {
                guard (1...3650).contains(days) else { throw APIError.badRequest("retentionDays must be 1 to 3650") }
                settings.retentionDays = days
            }
            if let scrubbing = body.scrubbing { settings.scrubbing = scrubbing }
            if let performance = body.performance {
                try performance.validate()
                settings.performance = performance
            }
            try await repositories.projects.updateSettings(settings, for: project.id)
            var updated = project
            updated.settings = settings
            return ProjectDetailBody(project: ProjectBody(updated, in: organization), settings: settings)
        }
        router.post("projects/:org/:project/keys/") { request, context -> EditedResponse<ClientKeyBody> in
            let principal = try context.requirePrincipal()
            let (_, project) = try await authorizer.project(
                context.parameters.require("org"), context.parameters.require("project"), principal, .manage, scope: .projectWrite
            )
            let body = try await request.decode(as: CreateKeyBody.self, context: context)
            let key = try await accounts.createKey(projectID: project.id, label: body.name ?? "Default")
            return EditedResponse(status: .created, response: ClientKeyBody(key, publicURL: publicURL))
        }
        router.put("projects/:org/:project/keys/:key/") { request, context -> ClientKeyBody in
            let principal = try context.requirePrincipal()
            let (_, project) = try await authorizer.project(
                context.parameters.require("org"), context.parameters.require("project"), principal, .manage, scope: .projectWrite
            )
            let keyText = try context.parameters.require("key")
            guard var key = try await repositories.projects.keys(projectID: project.id).first(where: { $0.id.description == keyText || $0.publicKey == keyText }) else {
                throw APIError.notFound("key '\(keyText)' not found")
            }
            let body = try await request.decode(as: UpdateKeyBody.self, context: context)
            if let active = body.isActive { key.isActive = active }
            if body.hasRateLimit {
                if let limit = body.rateLimit {
                    guard limit.window > 0, limit.count > 0, limit.count <= 100_000_000 else {
                        throw APIError.badRequest("rateLimit needs a positive window (seconds) and count")
                    }
                    key.rateLimitPerMinute = max(1, Int((Double(limit.count) * 60 / Double(limit.window)).rounded()))
                } else {
                    key.rateLimitPerMinute = nil
                }
            }
            try await repositories.projects.updateKey(id: key.id, isActive: key.isActive, rateLimitPerMinute: key.rateLimitPerMinute)
            return ClientKeyBody(key, publicURL: publicURL)
        }
    }

    private func member(_ context: TelltaleRequestContext, _ organization: Organization) async throws -> (User, Role) {
        let idText = try context.parameters.require("user")
        guard let id = Int64(idText), let member = try await repositories.organizations.members(of: organization.id).first(where: { $0.0.id.rawValue == id }) else {
            throw APIError.notFound("member '\(idText)' not found")
        }
        return member
    }
}
