import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import TelltaleApp
import TelltaleCore
import TelltaleTestSupport

/// The dashboard's routes without a browser: sign-in with its double-submit token, cookie
/// attributes, throttling, CSRF on every post, roles, escaping, sign-out.
@Suite("Dashboard routes")
struct DashboardRouteTests {
    struct Page {
        var status: HTTPResponse.Status
        var body: String
        var headers: HTTPFields
        var cookies: [String] { headers[values: .setCookie] }
        func cookie(_ name: String) -> String? {
            cookies.first { $0.hasPrefix(name + "=") }.map { String($0.dropFirst(name.count + 1).prefix { $0 != ";" }) }
        }
        /// The first `_csrf` field of a form on the page.
        var csrf: String? {
            guard let range = body.range(of: #"name="_csrf" value=""#) else { return nil }
            return String(body[range.upperBound...].prefix { $0 != "\"" })
        }
    }

    func get(_ client: some TestClientProtocol, _ path: String, cookie: String? = nil) async throws -> Page {
        var headers: HTTPFields = [.accept: "text/html"]
        if let cookie { headers[.cookie] = cookie }
        return try await client.execute(uri: path, method: .get, headers: headers) { Page(status: $0.status, body: String(buffer: $0.body), headers: $0.headers) }
    }

    func post(_ client: some TestClientProtocol, _ path: String, _ form: [(String, String)], cookie: String?, extra: HTTPFields = [:]) async throws -> Page {
        var headers: HTTPFields = [.accept: "text/html", .contentType: "application/x-www-form-urlencoded"]
        if let cookie { headers[.cookie] = cookie }
        headers.append(contentsOf: extra)
        let body = form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        return try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body)) {
            Page(status: $0.status, body: String(buffer: $0.body), headers: $0.headers)
        }
    }

    /// Signs in through the form; returns the session cookie header and the session's CSRF token.
    func signIn(_ client: some TestClientProtocol, _ email: String, _ password: String, extra: HTTPFields = [:]) async throws -> (status: HTTPResponse.Status, cookie: String?, page: Page) {
        let form = try await get(client, "/login")
        let signIn = try #require(form.cookie("telltale_signin"))
        let reply = try await post(client, "/login", [("_csrf", form.csrf ?? ""), ("email", email), ("password", password), ("next", "/account/")],
                                   cookie: "telltale_signin=\(signIn)", extra: extra)
        return (reply.status, reply.cookie("telltale_session").map { "telltale_session=\($0)" }, reply)
    }

    @Test("sign-in, CSRF, roles, escaping, throttling and sign-out", arguments: TestDatabase.allCases)
    func dashboard(database: TestDatabase) async throws {
        try await TestEnvironment.with(database) { environment in
            let app = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                let key = try await environment.withAccounts { accounts, repositories in
                    let project = try #require(try await repositories.projects.projects(organizationID: nil).first)
                    for (email, role) in [("member@example.com", Role.member), ("viewer@example.com", .viewer), ("victim@example.com", .member)] {
                        let user = try await accounts.createUser(email: email, name: nil, password: "password123", isSystemAdmin: false)
                        // The server checks passwords with bcrypt; the helper's accounts use a fast test hasher.
                        try await repositories.users.setPasswordHash(try await BcryptPasswordHasher(cost: 4).hash("password123"), for: user.id)
                        try await repositories.organizations.setMembership(Membership(organizationID: project.organizationID, userID: user.id, role: role))
                    }
                    return try #require(try await repositories.projects.keys(projectID: project.id).first).publicKey
                }
                let sent = try await client.execute(uri: "/api/0/projects/default/default/errors/", method: .post,
                                                    headers: [HTTPField.Name("X-Sentry-Auth")!: "Sentry sentry_key=\(key)", .contentType: "application/json"],
                                                    body: ByteBuffer(string: #"{"error_type":"<script>alert(1)</script>","message":"<img src=x onerror=alert(2)>","tags":{"<b>k</b>":"<i>v</i>"},"stack_trace":"Traceback (most recent call last):\n  File \"app/<script>.py\", line 3, in <script>handle\n    run()\n"}"#)) { $0.status }
                #expect(sent == .ok)

                // Pages need a session: the browser goes to the sign-in form and back.
                let anonymous = try await get(client, "/organizations/default/issues/")
                #expect(anonymous.status == .seeOther)
                #expect(anonymous.headers[.location]?.hasPrefix("/login?next=") == true)

                // The sign-in form refuses a post without its own token.
                let forged = try await post(client, "/login", [("email", "member@example.com"), ("password", "password123")], cookie: nil)
                #expect(forged.status == .forbidden)
                #expect(forged.body.contains("<!doctype html>"))

                let member = try await signIn(client, "member@example.com", "password123")
                #expect(member.status == .seeOther)
                #expect(member.page.headers[.location] == "/account/")
                let setCookie = try #require(member.page.cookies.first { $0.hasPrefix("telltale_session=") })
                #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Lax") && !setCookie.contains("Secure"))
                let cookie = try #require(member.cookie)
                let secure = try await signIn(client, "member@example.com", "password123", extra: [HTTPField.Name("X-Forwarded-Proto")!: "https"])
                #expect(secure.page.cookies.first { $0.hasPrefix("telltale_session=") }?.contains("; Secure") == true)

                // Event data is text, never markup.
                let list = try await get(client, "/organizations/default/issues/", cookie: cookie)
                #expect(list.status == .ok)
                #expect(list.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
                #expect(!list.body.contains("<script>alert"))
                #expect(list.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
                let issueID = try await environment.withAccounts { _, repositories in
                    try #require(try await repositories.issues.search(IssueSearch(projectIDs: [ProjectID(1)], query: IssueQuery(filters: []), user: UserID(1))).issues.first).id
                }
                let detail = try await get(client, "/organizations/default/issues/\(issueID)/", cookie: cookie)
                #expect(detail.status == .ok)
                #expect(!detail.body.contains("<script>") && !detail.body.contains("<img src=x") && !detail.body.contains("<b>k</b>"))
                #expect(detail.body.contains("&lt;img src=x onerror=alert(2)&gt;"))

                // Every post needs the session's token.
                let csrf = try #require(list.csrf)
                let status = "/organizations/default/issues/\(issueID)/status"
                #expect(try await post(client, status, [("action", "resolved")], cookie: cookie).status == .forbidden)
                #expect(try await post(client, status, [("action", "resolved"), ("_csrf", String(repeating: "0", count: 64))], cookie: cookie).status == .forbidden)
                #expect(try await post(client, status, [("action", "resolved"), ("_csrf", csrf)], cookie: cookie).status == .seeOther)
                #expect(try await environment.withAccounts { _, r in try await r.issues.issue(id: issueID)?.status } == .resolved)

                // A viewer sees the issue but cannot change it.
                let viewer = try #require(try await signIn(client, "viewer@example.com", "password123").cookie)
                let viewerPage = try await get(client, "/organizations/default/issues/\(issueID)/", cookie: viewer)
                #expect(viewerPage.status == .ok)
                #expect(!viewerPage.body.contains(">Resolve<"))
                let refused = try await post(client, status, [("action", "investigating"), ("_csrf", try #require(viewerPage.csrf))], cookie: viewer)
                #expect(refused.status == .forbidden)
                #expect(try await environment.withAccounts { _, r in try await r.issues.issue(id: issueID)?.status } == .resolved)

                // Five wrong passwords lock the account, even for the right one, with Retry-After.
                for _ in 0..<5 { #expect(try await signIn(client, "victim@example.com", "wrong-password").status == .unauthorized) }
                let locked = try await signIn(client, "victim@example.com", "password123")
                #expect(locked.status == .tooManyRequests)
                #expect(locked.cookie == nil)
                #expect(Int(locked.page.headers[.retryAfter] ?? "") ?? 0 > 0)
                // The lock is in the database: a restarted server (or another node) keeps it.
                let restarted = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger)
                let afterRestart = try await restarted.test(.router) { other throws -> HTTPResponse.Status in
                    try await signIn(other, "victim@example.com", "password123").status
                }
                #expect(afterRestart == .tooManyRequests)

                // Signing out ends the session on the server, not only in the browser.
                #expect(try await post(client, "/logout", [("_csrf", csrf)], cookie: cookie).status == .seeOther)
                #expect(try await get(client, "/organizations/default/issues/", cookie: cookie).status == .seeOther)

                // Unknown pages and other tenants' pages are friendly HTML 404s; the API keeps JSON.
                let missing = try await get(client, "/organizations/nope/issues/", cookie: viewer)
                #expect(missing.status == .notFound && missing.body.contains("Page not found"))
                let api = try await client.execute(uri: "/api/0/organizations/nope/", method: .get, headers: [.accept: "text/html"]) { $0.headers[.contentType] }
                #expect(api == "application/json")
            }
        }
    }
}
