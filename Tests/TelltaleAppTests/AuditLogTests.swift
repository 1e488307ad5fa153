import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TelltaleApp
import TelltaleCore
import TelltaleTestSupport

/// The audit log through the real router: API changes with before/after and secrets masked,
/// dashboard sign-ins (failed ones too), who may read it, and that nothing can delete it.
@Suite("Audit log")
struct AuditLogTests {
    struct Entry: Decodable {
        struct Change: Decodable { var field: String; var before: String?; var after: String? }
        var id: String
        var organizationID: String?
        var actor: String
        var action: String
        var targetType: String
        var targetID: String?
        var changes: [Change]
        var ipAddress: String?
        var userAgent: String?
    }

    static func entries(_ text: String) throws -> [Entry] { try JSONDecoder().decode([Entry].self, from: Data(text.utf8)) }

    @Test("API changes, sign-ins and who may read", arguments: TestDatabase.allCases)
    func records(database: TestDatabase) async throws {
        try await TestEnvironment.with(database) { environment in
            let app = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                let tokens = try await MonitorsAPITests.tokens(environment)
                let system = try await environment.withAccounts { accounts, repositories in
                    let root = try await accounts.createUser(email: "root@example.com", name: nil, password: "password123", isSystemAdmin: true)
                    try await repositories.users.setPasswordHash(try await BcryptPasswordHasher(cost: 4).hash("password123"), for: root.id)
                    return try await accounts.issueToken(userID: root.id, name: "t", scopes: Set(Scope.allCases)).secret
                }
                let monitor = #"{"name":"Shop API","type":"http","url":"http://127.0.0.1:9/health","interval_seconds":60,"headers":{"Authorization":"Bearer s3cret-token"}}"#
                let created = try await client.api("organizations/default/monitors/", .post, tokens.admin, monitor)
                #expect(created.0 == .created, "\(created.1)")
                let id = try #require(MonitorsAPITests.json(created.1)["id"] as? String)
                #expect(try await client.api("monitors/\(id)/", .put, tokens.admin, monitor.replacingOccurrences(of: "Shop API", with: "Shop API v2")).0 == .ok)
                #expect(try await client.api("monitors/\(id)/pause", .post, tokens.admin).0 == .ok)
                #expect(try await client.api("monitors/\(id)/", .delete, tokens.admin).0 == .noContent)
                // Refused requests change nothing and are not logged as changes.
                #expect(try await client.api("organizations/default/monitors/", .post, tokens.member, monitor).0 == .forbidden)

                let (status, text) = try await client.api("organizations/default/audit-log/?action=monitors.", .get, tokens.admin)
                #expect(status == .ok, "\(text)")
                let log = try Self.entries(text)
                #expect(log.map(\.action) == ["monitors.delete", "monitors.pause", "monitors.update", "monitors.create"], "\(log.map(\.action))")
                #expect(log.allSatisfy { $0.actor == "admin@example.com" && $0.targetID == id && $0.organizationID != nil })
                let update = try #require(log.first { $0.action == "monitors.update" })
                let name = try #require(update.changes.first { $0.field == "name" })
                #expect(name.before == "Shop API" && name.after == "Shop API v2")
                #expect(update.changes.allSatisfy { $0.field != "updated_at" || $0.before != nil })
                #expect(try #require(log.first { $0.action == "monitors.create" }).changes.contains { $0.field == "name" && $0.before == nil && $0.after == "Shop API" })
                #expect(try #require(log.first { $0.action == "monitors.delete" }).changes.contains { $0.field == "name" && $0.before == "Shop API v2" && $0.after == nil })
                #expect(!text.contains("s3cret-token"), "a secret reached the audit log")

                // Filters: actor, since; a member may not read it; nothing deletes it.
                #expect(try Self.entries(try await client.api("organizations/default/audit-log/?actor=member@example.com", .get, tokens.admin).1).isEmpty)
                #expect(try Self.entries(try await client.api("organizations/default/audit-log/?since=4102444800", .get, tokens.admin).1).isEmpty)
                #expect(try await client.api("organizations/default/audit-log/", .get, tokens.member).0 == .forbidden)
                #expect(try await client.api("organizations/default/audit-log/", .delete, tokens.admin).0.code >= 400)
                #expect(try await client.api("organizations/default/audit-log/?cursor=x", .get, tokens.admin).0 == .badRequest)

                // Dashboard sign-ins, failed and not: installation-wide, for system administrators.
                let dashboard = DashboardRouteTests()
                #expect(try await dashboard.signIn(client, "root@example.com", "wrong-password", extra: [.userAgent: "AuditTest/1.0"]).status == .unauthorized)
                let signedIn = try await dashboard.signIn(client, "root@example.com", "password123", extra: [.userAgent: "AuditTest/1.0"])
                #expect(signedIn.cookie != nil)
                #expect(try await client.api("audit-log/", .get, tokens.member).0 == .forbidden)
                let all = try Self.entries(try await client.api("audit-log/?action=auth.", .get, system).1)
                #expect(all.map(\.action) == ["auth.sign_in", "auth.sign_in_failed"], "\(all.map(\.action))")
                #expect(all.allSatisfy { $0.actor == "root@example.com" && $0.userAgent == "AuditTest/1.0" && $0.organizationID == nil })
                #expect(all.allSatisfy { !$0.changes.contains { $0.after == "wrong-password" || $0.after == "password123" } })

                // The dashboard's page shows the organization's entries; a member cannot open it.
                let page = try await dashboard.get(client, "/organizations/default/settings/audit-log/?action=monitors.", cookie: signedIn.cookie)
                #expect(page.status == .ok, "\(page.body.prefix(800))")
                #expect(page.body.contains("monitors.update") && page.body.contains("Shop API v2"), "\(page.status) \(page.body.prefix(600))")
                #expect(!page.body.contains("s3cret-token"))
                try await environment.withAccounts { _, repositories in
                    let user = try #require(try await repositories.users.user(email: "member@example.com"))
                    try await repositories.users.setPasswordHash(try await BcryptPasswordHasher(cost: 4).hash("password123"), for: user.id)
                }
                let memberSession = try await dashboard.signIn(client, "member@example.com", "password123")
                #expect(try await dashboard.get(client, "/organizations/default/settings/audit-log/", cookie: memberSession.cookie).status == .forbidden)
            }
        }
    }
}
