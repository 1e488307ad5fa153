import Foundation
import Hummingbird
import TelltaleCore
import TelltaleHTTP

/// Members and roles of an organization; the signed-in user's password and API tokens.
extension Dashboard {
    struct MembersView {
        struct RoleOption { var value: String; var selected: Bool }
        struct Member { var id: String; var name: String; var email: String; var role: String; var roles: [RoleOption]; var isSelf: Bool }
        var chrome: Chrome
        var members: [Member]
        var roles: [String]
        var action: String
    }

    struct AccountView {
        struct Token { var id: String; var name: String; var prefix: String; var scopes: String; var created: String }
        struct ScopeOption { var value: String; var checked: Bool }
        var chrome: Chrome
        var tokens: [Token]
        var scopes: [ScopeOption]
        var newSecret: String?
        var message: String?
        var error: String?
    }

    func addAccessRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        router.get("organizations/:org/settings/members/") { _, context -> Response in
            let scope = try await scope(context.parameters.require("org"), context, .view, section: .settings)
            let members = try await repositories.organizations.members(of: scope.organization.id)
            let roles = Role.allCases.sorted(by: >).map(\.rawValue)
            return templates.page("members", MembersView(
                chrome: scope.chrome,
                members: members.map { user, role in
                    .init(id: user.id.description, name: user.name, email: user.email, role: role.rawValue,
                          roles: roles.map { .init(value: $0, selected: $0 == role.rawValue) }, isSelf: user.id == scope.principal.user.id)
                },
                roles: roles,
                action: "\(scope.orgPath)/settings/members"
            ))
        }
        router.post("organizations/:org/settings/members") { request, context -> Response in
            let (form, _) = try await Form.body(of: request)
            guard let role = Role(rawValue: form["role"] ?? "") else { throw APIError.badRequest("choose a role") }
            let scope = try await scope(context.parameters.require("org"), context, role == .owner ? .own : .manage, section: .settings)
            let email = form["email"] ?? ""
            var user = try await repositories.users.user(email: (try? User.normalizedEmail(email)) ?? email)
            if user == nil {
                guard let password = form["password"], !password.isEmpty else {
                    throw APIError.badRequest("\(email) has no account yet: give them a first password")
                }
                user = try await accounts.createUser(email: email, name: form.text("name"), password: password, isSystemAdmin: false)
            }
            guard let user else { throw APIError.notFound("user not found") }
            try await repositories.organizations.setMembership(Membership(organizationID: scope.organization.id, userID: user.id, role: role))
            return redirect("\(scope.orgPath)/settings/members/")
        }
        router.post("organizations/:org/settings/members/:user") { request, context -> Response in
            let (form, _) = try await Form.body(of: request)
            let remove = form["action"] == "remove"
            let role = Role(rawValue: form["role"] ?? "")
            guard remove || role != nil else { throw APIError.badRequest("choose a role") }
            let idText = try context.parameters.require("user")
            let orgSlug = try context.parameters.require("org")
            var scope = try await scope(orgSlug, context, .manage, section: .settings)
            guard let id = Int64(idText), let (user, current) = try await repositories.organizations.members(of: scope.organization.id).first(where: { $0.0.id.rawValue == id }) else {
                throw APIError.notFound("member '\(idText)' not found")
            }
            // Only owners may make or unmake owners.
            if current == .owner || role == .owner { scope = try await self.scope(orgSlug, context, .own, section: .settings) }
            if current == .owner, remove || role != .owner { try await accounts.requireAnotherOwner(scope.organization.id, besides: user.id) }
            if remove {
                _ = try await repositories.organizations.removeMembership(userID: user.id, organizationID: scope.organization.id)
            } else if let role {
                try await repositories.organizations.setMembership(Membership(organizationID: scope.organization.id, userID: user.id, role: role))
            }
            return redirect("\(scope.orgPath)/settings/members/")
        }
        router.get("account/") { _, context -> Response in
            templates.page("account", try await accountView(context))
        }
        router.post("account/password") { request, context -> Response in
            let principal = try signedIn(context)
            let (form, _) = try await Form.body(of: request)
            guard form["new_password"] == form["confirm_password"] else {
                return templates.page("account", try await accountView(context, error: "The new passwords do not match."), status: .badRequest)
            }
            do {
                try await accounts.changePassword(of: principal.user, current: form["current_password"] ?? "", new: form["new_password"] ?? "", keeping: context.session)
            } catch let error as DomainError {
                return templates.page("account", try await accountView(context, error: error.description), status: .badRequest)
            }
            return templates.page("account", try await accountView(context, message: "Your password is changed. Other sessions were signed out."))
        }
        router.post("account/tokens") { request, context -> Response in
            let principal = try signedIn(context)
            let (form, _) = try await Form.body(of: request)
            let scopes = Set(form.all("scope").compactMap(Scope.init(rawValue:)))
            let (_, secret) = try await accounts.issueToken(userID: principal.user.id, name: form["name"] ?? "", scopes: scopes)
            // Shown once, on this response only; it is never stored.
            return templates.page("account", try await accountView(context, secret: secret))
        }
        router.post("account/tokens/:id") { _, context -> Response in
            let principal = try signedIn(context)
            let idText = try context.parameters.require("id")
            guard let id = Int64(idText), try await repositories.tokens.tokens(userID: principal.user.id).contains(where: { $0.id.rawValue == id && $0.revokedAt == nil }) else {
                throw APIError.notFound("token '\(idText)' not found")
            }
            try await repositories.tokens.revoke(id: APITokenID(id))
            return redirect("/account/#tokens")
        }
    }

    func accountView(_ context: TelltaleRequestContext, secret: String? = nil, message: String? = nil, error: String? = nil) async throws -> AccountView {
        let principal = try signedIn(context)
        let tokens = try await repositories.tokens.tokens(userID: principal.user.id).filter { $0.revokedAt == nil }
        return AccountView(
            chrome: try await chrome(principal, context: context, organization: nil, role: nil, section: .account),
            tokens: tokens.map { .init(id: $0.id.description, name: $0.name, prefix: $0.prefix, scopes: Scope.format($0.scopes), created: WebFormat.day($0.createdAt)) },
            scopes: Scope.allCases.map { .init(value: $0.rawValue, checked: [.eventRead, .projectRead, .orgRead].contains($0)) },
            newSecret: secret,
            message: message,
            error: error
        )
    }
}
