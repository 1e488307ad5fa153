import Foundation
import Hummingbird
import TelltaleCore
import TelltaleHTTP

/// Members and roles of an organization; the signed-in user's password and API tokens.
extension Dashboard {
    struct MembersView {
        struct RoleOption { var value: String; var selected: Bool }
        struct Member { var id: String; var name: String; var email: String; var role: String; var roles: [RoleOption]; var isSelf: Bool; var canRemove: Bool; var canChangeRole: Bool }
        struct Invite { var id: String; var email: String; var role: String; var expires: String }
        var chrome: Chrome
        var members: [Member]
        var invitations: [Invite]
        var hasInvitations: Bool
        /// Roles the viewer may grant; the first selected one (member) is the default.
        var grantable: [RoleOption]
        var action: String
        var newLink: String?
        var newLinkEmail: String?
        var error: String?
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
            return templates.page("members", try await membersView(scope))
        }
        router.post("organizations/:org/settings/members") { request, context -> Response in
            let (form, _) = try await Form.body(of: request)
            let scope = try await scope(context.parameters.require("org"), context, .manage, section: .settings)
            let email = form["email"] ?? ""
            do {
                guard let role = Role(rawValue: form["role"] ?? "") else { throw DomainError.invalid(ValidationError(field: "role", reason: "choose a role")) }
                let (invitation, secret) = try await accounts.invite(email: email, role: role, to: scope.organization.id, by: .principal(scope.principal))
                // The link is shown on this response only; it is never stored.
                var view = try await membersView(scope)
                view.newLink = Invitation.link(publicURL: publicURL, secret: secret)
                view.newLinkEmail = invitation.email
                return templates.page("members", view)
            } catch let error as DomainError {
                var view = try await membersView(scope)
                view.error = error.description
                return templates.page("members", view, status: APIError(error).status)
            }
        }
        router.post("organizations/:org/settings/invitations/:id") { _, context -> Response in
            let scope = try await scope(context.parameters.require("org"), context, .manage, section: .settings)
            let idText = try context.parameters.require("id")
            guard let id = Int64(idText), try await repositories.invitations.revoke(InvitationID(id), organizationID: scope.organization.id) else {
                throw APIError.notFound("invitation '\(idText)' not found")
            }
            return redirect("\(scope.orgPath)/settings/members/")
        }
        router.post("organizations/:org/settings/members/:user") { request, context -> Response in
            let (form, _) = try await Form.body(of: request)
            let remove = form["action"] == "remove"
            let role = Role(rawValue: form["role"] ?? "")
            guard remove || role != nil else { throw APIError.badRequest("choose a role") }
            let idText = try context.parameters.require("user")
            let scope = try await scope(context.parameters.require("org"), context, .manage, section: .settings)
            guard let id = Int64(idText), try await repositories.organizations.role(of: UserID(id), in: scope.organization.id) != nil else {
                throw APIError.notFound("member '\(idText)' not found")
            }
            try await accounts.changeMember(UserID(id), to: remove ? nil : role, in: scope.organization.id, by: .principal(scope.principal))
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

    func membersView(_ scope: PageScope) async throws -> MembersView {
        let members = try await repositories.organizations.members(of: scope.organization.id)
        let owners = members.filter { $0.1 == .owner }.count
        let viewerRole = AccessPolicy.effectiveRole(scope.principal, role: scope.role) ?? .viewer
        let grantable = Role.allCases.sorted(by: >).filter { $0 != .owner || viewerRole == .owner }
        let invitations = viewerRole >= .admin ? try await repositories.invitations.open(organizationID: scope.organization.id, now: Date()) : []
        return MembersView(
            chrome: scope.chrome,
            members: members.map { user, role in
                // Offer only what the policy would allow: owners are changed by owners, and the last owner stays.
                let changeable = role != .owner || viewerRole == .owner
                return .init(id: user.id.description, name: user.name, email: user.email, role: role.rawValue,
                             roles: changeable ? grantable.map { .init(value: $0.rawValue, selected: $0 == role) } : [],
                             isSelf: user.id == scope.principal.user.id,
                             canRemove: changeable && !(role == .owner && owners == 1), canChangeRole: changeable)
            },
            invitations: invitations.map { .init(id: $0.id.description, email: $0.email, role: $0.role.rawValue, expires: WebFormat.day($0.expiresAt)) },
            hasInvitations: !invitations.isEmpty,
            grantable: grantable.map { .init(value: $0.rawValue, selected: $0 == .member) },
            action: "\(scope.orgPath)/settings/members"
        )
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
