import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TelltaleApp
import TelltaleCore
import TelltaleTestSupport

/// Invitations through the dashboard, and where a sign-in may send the browser.
extension DashboardRouteTests {
    @Test("inviting: link shown once, accepted by creating the account; owners kept", arguments: TestDatabase.allCases)
    func invitations(database: TestDatabase) async throws {
        try await TestEnvironment.with(database) { environment in
            let app = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                let admin = try await signIn(client, "admin@example.com", "correct horse battery")
                let cookie = try #require(admin.cookie)
                let members = try await get(client, "/organizations/default/settings/members/", cookie: cookie)
                #expect(members.status == .ok)
                // The role defaults to member, and the sole owner is offered no Remove.
                #expect(members.body.contains(#"<option value="member" selected>"#))
                #expect(!members.body.contains(">Remove<"))
                let csrf = try #require(members.csrf)
                let invited = try await post(client, "/organizations/default/settings/members",
                                             [("_csrf", csrf), ("email", "Newbie@Example.com"), ("role", "member")], cookie: cookie)
                #expect(invited.status == .ok)
                let link = try #require(invited.body.range(of: #"http://[^"<]*/invitations/[0-9a-f]{64}"#, options: .regularExpression).map { String(invited.body[$0]) })
                let path = String(link[link.range(of: "/invitations/")!.lowerBound...])
                // Shown once: the members page lists the invitation but not its link.
                let later = try await get(client, "/organizations/default/settings/members/", cookie: cookie)
                #expect(later.body.contains("newbie@example.com") && !later.body.contains(path))

                // The invited person opens the link without an account and creates one.
                let page = try await get(client, path)
                #expect(page.status == .ok && page.body.contains("Create account and join"))
                let formCookie = try #require(page.cookie("telltale_signin"))
                let mismatch = try await post(client, path, [("_csrf", page.csrf ?? ""), ("password", "password123"), ("confirm_password", "other")],
                                              cookie: "telltale_signin=\(formCookie)")
                #expect(mismatch.status == .badRequest)
                let joined = try await post(client, path, [("_csrf", page.csrf ?? ""), ("name", "New Bie"), ("password", "password123"), ("confirm_password", "password123")],
                                            cookie: "telltale_signin=\(formCookie)")
                #expect(joined.status == .seeOther)
                #expect(joined.headers[.location] == "/organizations/default/issues/")
                #expect(joined.cookie("telltale_session") != nil)
                let role = try await environment.withAccounts { _, repositories in
                    let user = try #require(try await repositories.users.user(email: "newbie@example.com"))
                    return try await repositories.organizations.role(of: user.id, in: OrganizationID(1))
                }
                #expect(role == .member)
                // The link works once.
                #expect(try await get(client, path).status == .notFound)
                // Inviting a member again does not change their role.
                let again = try await post(client, "/organizations/default/settings/members",
                                           [("_csrf", csrf), ("email", "newbie@example.com"), ("role", "viewer")], cookie: cookie)
                #expect(again.status == .conflict)
            }
        }
    }

    @Test("a sign-in follows only same-origin paths", arguments: [
        ("/organizations/default/issues/?query=is%3Aresolved", "/organizations/default/issues/?query=is%3Aresolved"),
        ("/\t/evil.example/phish", "/"),
        ("/%09/evil.example", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("/%2F/evil.example", "/"),
        ("/%5Cevil.example", "/"),
        ("https://evil.example/", "/"),
        ("/\n/evil.example", "/"),
        ("/ok path", "/"),
        ("/login?next=/x", "/"),
        ("", "/"),
    ])
    func safeNext(next: String, expected: String) async throws {
        try await TestEnvironment.with(.sqlite) { environment in
            let app = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                let admin = try #require(try await signIn(client, "admin@example.com", "correct horse battery").cookie)
                let query = next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                let reply = try await get(client, "/login?next=" + query, cookie: admin)
                #expect(reply.status == .seeOther)
                #expect(reply.headers[.location] == expected)
            }
        }
    }
}
