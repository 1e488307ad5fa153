import Foundation
import HTTPTypes
import Hummingbird
import Logging
import TelltaleCore
import TelltaleHTTP

/// Sign-in, sign-out and the front door.
extension Dashboard {
    struct SignInView {
        var csrf: String
        var next: String
        var email: String
        var error: String?
    }

    func addSignInRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        router.get("/") { _, context -> Response in
            guard let principal = context.principal, context.session != nil else { return redirect("/login") }
            guard let first = try await organizations(visibleTo: principal).first else { return redirect("/account/") }
            return redirect("/organizations/\(first.slug.rawValue)/issues/")
        }
        router.get("login") { request, context -> Response in
            let next = Self.safeNext(Form.query(of: request)["next"])
            if context.session != nil { return redirect(next) }
            return signInPage(SignInView(csrf: "", next: next, email: "", error: nil), request: request)
        }
        router.post("login") { request, context -> Response in
            let (form, _) = try await Form.body(of: request)
            let email = (form["email"] ?? "").trimmingCharacters(in: .whitespaces).lowercased()
            let next = Self.safeNext(form["next"])
            let address = context.remoteAddress ?? "unknown"
            let now = Date()
            if let until = try await throttle.retryAfter(account: email, address: address, now: now) {
                let minutes = max(1, Int((until.timeIntervalSince(now) / 60).rounded(.up)))
                context.logger.notice("Refused a sign-in: too many failures", metadata: ["client.address": "\(context.remoteAddress ?? "")"])
                var response = signInPage(SignInView(csrf: "", next: next, email: email,
                                                     error: "Too many failed sign-ins. Try again in \(minutes) minute\(minutes == 1 ? "" : "s")."),
                                          request: request, status: .tooManyRequests)
                response.headers[.retryAfter] = String(Int(until.timeIntervalSince(now).rounded(.up)))
                return response
            }
            guard let user = try await accounts.authenticate(email: email, password: form["password"] ?? "") else {
                try await throttle.failed(account: email, address: address, now: now)
                context.logger.notice("Failed sign-in", metadata: ["client.address": "\(context.remoteAddress ?? "")"])
                return signInPage(SignInView(csrf: "", next: next, email: email, error: "That email and password do not match."),
                                  request: request, status: .unauthorized)
            }
            try await throttle.succeeded(account: email)
            let (_, secret) = try await accounts.startSession(for: user, now: now)
            return redirect(next, headers: sessionCookies(secret, request: request))
        }
        router.post("logout") { request, context -> Response in
            if let secret = Cookies.value(WebSessionMiddleware.sessionCookie, in: request) {
                try await accounts.endSession(secret: secret)
            }
            return redirect("/login", headers: [.setCookie: Cookies.header(WebSessionMiddleware.sessionCookie, "", maxAge: 0, secure: isSecure(request))])
        }
    }

    /// Cookies that sign the browser in with a new session and drop the sign-in form's token.
    func sessionCookies(_ secret: String, request: Request) -> HTTPFields {
        let secure = isSecure(request)
        var headers = HTTPFields()
        headers.append(HTTPField(name: .setCookie, value: Cookies.header(WebSessionMiddleware.sessionCookie, secret, maxAge: Int(WebSession.lifetime), secure: secure)))
        headers.append(HTTPField(name: .setCookie, value: Cookies.header(WebSessionMiddleware.signInCookie, "", maxAge: 0, secure: secure)))
        return headers
    }

    /// The sign-in form with a fresh double-submit token in its own cookie.
    func signInPage(_ view: SignInView, request: Request, status: HTTPResponse.Status = .ok) -> Response {
        var view = view
        view.csrf = SecretGenerator.hex(byteCount: 16)
        var response = templates.page("login", view, status: status)
        response.headers.append(HTTPField(name: .setCookie, value: Cookies.header(WebSessionMiddleware.signInCookie, view.csrf, maxAge: 3_600, secure: isSecure(request))))
        return response
    }

    /// Cookies are marked Secure when the dashboard is reached over TLS (directly or behind a proxy).
    func isSecure(_ request: Request) -> Bool {
        publicURL.hasPrefix("https://") || request.headers[HTTPField.Name("X-Forwarded-Proto")!] == "https"
    }

    /// Only a same-origin absolute path may follow a sign-in: one leading `/` not followed by
    /// `/` or `\` (which browsers read as another host), and no control characters or
    /// whitespace anywhere, also once more percent-decoded (browsers drop tabs and newlines
    /// from URLs, so `/<TAB>/evil.example` becomes `//evil.example`). Anything else is `/`.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.utf8.count <= 2_048 else { return "/" }
        for candidate in [next, next.removingPercentEncoding ?? ""] {
            let bytes = Array(candidate.utf8)
            guard bytes.first == UInt8(ascii: "/") else { return "/" }
            if bytes.count > 1, bytes[1] == UInt8(ascii: "/") || bytes[1] == UInt8(ascii: "\\") { return "/" }
            if bytes.contains(UInt8(ascii: "\\")) { return "/" }
            if candidate.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0.properties.isWhitespace || $0.properties.generalCategory == .format }) {
                return "/"
            }
        }
        return next.hasPrefix("/login") ? "/" : next
    }
}
