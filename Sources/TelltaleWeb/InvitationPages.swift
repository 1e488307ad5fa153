import Foundation
import HTTPTypes
import Hummingbird
import Logging
import TelltaleCore
import TelltaleHTTP

/// Accepting an invitation: the link's secret is the credential, and the person proves the
/// invited address by signing in with it or by creating its account here.
extension Dashboard {
    struct InvitationView {
        var csrf: String
        var path: String
        var organization: String
        var email: String
        var role: String
        /// Signed in as the invited address: one button accepts.
        var canAccept: Bool
        /// Signed in as someone else.
        var signedInAs: String?
        /// Not signed in: sign in, or create the account.
        var anonymous: Bool
        var loginHref: String
        var error: String?
    }

    func addInvitationRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        router.get("invitations/:secret") { request, context -> Response in
            let secret = try context.parameters.require("secret")
            guard let invitation = try await accounts.invitation(secret: secret) else { return invalidInvitation() }
            return try await invitationPage(invitation, secret: secret, request: request, context: context)
        }
        router.post("invitations/:secret") { request, context -> Response in
            let secret = try context.parameters.require("secret")
            guard let invitation = try await accounts.invitation(secret: secret) else { return invalidInvitation() }
            let (form, _) = try await Form.body(of: request)
            do {
                if let principal = context.principal, context.session != nil {
                    try await accounts.accept(invitation, as: principal.user)
                    context.logger.info("Accepted an invitation", metadata: ["invitation.id": "\(invitation.id)", "user.id": "\(principal.user.id)"])
                    return redirect(try await organizationPath(invitation))
                }
                guard form["password"] == form["confirm_password"] else {
                    throw DomainError.invalid(ValidationError(field: "confirm_password", reason: "does not match the password"))
                }
                let user = try await accounts.acceptCreatingAccount(invitation, name: form.text("name"), password: form["password"] ?? "")
                context.logger.info("Accepted an invitation with a new account", metadata: ["invitation.id": "\(invitation.id)", "user.id": "\(user.id)"])
                let (_, cookie) = try await accounts.startSession(for: user)
                return redirect(try await organizationPath(invitation), headers: sessionCookies(cookie, request: request))
            } catch let error as DomainError {
                return try await invitationPage(invitation, secret: secret, request: request, context: context,
                                                error: error.description, status: APIError(error).status)
            }
        }
    }

    private func invitationPage(_ invitation: Invitation, secret: String, request: Request, context: TelltaleRequestContext,
                                error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let organization = try await repositories.organizations.organization(id: invitation.organizationID)
        let path = "/invitations/\(secret)"
        let user = context.session != nil ? context.principal?.user : nil
        let view = InvitationView(
            csrf: context.session?.csrfToken ?? SecretGenerator.hex(byteCount: 16),
            path: path,
            organization: organization?.name ?? "",
            email: invitation.email,
            role: invitation.role.rawValue,
            canAccept: user?.email == invitation.email,
            signedInAs: user.flatMap { $0.email == invitation.email ? nil : $0.email },
            anonymous: user == nil,
            loginHref: "/login?next=" + (path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"),
            error: error
        )
        var response = templates.page("invitation", view, status: status)
        if user == nil {
            // The create-account form is protected like the sign-in form: a double-submit cookie.
            response.headers.append(HTTPField(name: .setCookie, value: Cookies.header(WebSessionMiddleware.signInCookie, view.csrf, maxAge: 3_600, secure: isSecure(request))))
        }
        return response
    }

    private func invalidInvitation() -> Response {
        templates.page("error", HTMLErrorPages<TelltaleRequestContext>.ErrorView(status: 404, title: "Invitation not valid",
                                                                                 message: "This invitation link was used, withdrawn or has expired. Ask for a new one."),
                       status: .notFound)
    }

    private func organizationPath(_ invitation: Invitation) async throws -> String {
        guard let organization = try await repositories.organizations.organization(id: invitation.organizationID) else { return "/" }
        return "/organizations/\(organization.slug.rawValue)/issues/"
    }
}
