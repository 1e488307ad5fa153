import Foundation
import HTTPTypes
public import Hummingbird
import Logging
public import TelltaleCore
public import TelltaleHTTP

/// Signs the browser in from its session cookie and refuses any state-changing request
/// (POST, PUT, PATCH, DELETE) that does not carry the CSRF token: the session's for
/// signed-in users, the sign-in form's own cookie before that (double submit). The token
/// comes as the `_csrf` form field or the `X-CSRF-Token` header.
public struct WebSessionMiddleware: RouterMiddleware {
    public typealias Context = TelltaleRequestContext
    static let sessionCookie = "telltale_session"
    static let signInCookie = "telltale_signin"
    let accounts: AccountService

    public init(accounts: AccountService) {
        self.accounts = accounts
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let secret = Cookies.value(Self.sessionCookie, in: request), let (session, user) = try await accounts.session(secret: secret) {
            context.session = session
            context.principal = Principal(user: user, tokenScopes: nil)
        }
        guard ![.get, .head, .options].contains(request.method) else {
            return try await next(request, context)
        }
        var request = request
        let expected = context.session?.csrfToken ?? Cookies.value(Self.signInCookie, in: request)
        var sent = request.headers[.csrfToken]
        if sent == nil, request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true {
            let (form, buffered) = try await Form.body(of: request)
            request = buffered
            sent = form["_csrf"]
        }
        guard let expected, let sent, Self.constantTimeEqual(expected, sent) else {
            context.logger.notice("Refused a dashboard request without a valid CSRF token", metadata: ["http.path": "\(request.uri.path)"])
            throw APIError.forbidden("this form has expired or did not come from Telltale; reload the page and try again")
        }
        return try await next(request, context)
    }

    /// Compares without an early exit, so timing does not reveal how much of a guess matched.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

extension HTTPField.Name {
    static let csrfToken = HTTPField.Name("X-CSRF-Token")!
}
