import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TelltaleApp
import TelltaleCore
import TelltaleTestSupport

@Suite("REST API: organizations and projects")
struct OrganizationsAPITests {
    struct Tokens: Sendable {
        var admin: String
        var viewer: String
        var outsider: String
        var readOnly: String
    }

    /// Users: the bootstrapped system admin, a viewer of `default`, a member of another org only.
    private func makeTokens(_ environment: TestEnvironment) async throws -> Tokens {
        try await environment.withAccounts { accounts, repositories in
            let admin = try #require(try await repositories.users.user(email: "admin@example.com"))
            let defaultOrg = try #require(try await repositories.organizations.all().first)
            let viewer = try await accounts.createUser(email: "viewer@example.com", name: nil, password: "password123", isSystemAdmin: false)
            try await repositories.organizations.setMembership(Membership(organizationID: defaultOrg.id, userID: viewer.id, role: .viewer))
            let outsider = try await accounts.createUser(email: "out@example.com", name: nil, password: "password123", isSystemAdmin: false)
            _ = try await accounts.createOrganization(slug: "other", name: "Other", owner: outsider.id)
            let all = Set(Scope.allCases)
            return Tokens(
                admin: try await accounts.issueToken(userID: admin.id, name: "t", scopes: all).secret,
                viewer: try await accounts.issueToken(userID: viewer.id, name: "t", scopes: all).secret,
                outsider: try await accounts.issueToken(userID: outsider.id, name: "t", scopes: all).secret,
                readOnly: try await accounts.issueToken(userID: admin.id, name: "t", scopes: [.orgRead, .projectRead]).secret
            )
        }
    }

    @Test("authorization by role and scope", arguments: TestDatabase.allCases)
    func authorization(database: TestDatabase) async throws {
        try await TestEnvironment.with(database) { environment in
            let app = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                let tokens = try await makeTokens(environment)
                func call(_ uri: String, _ method: HTTPRequest.Method, _ token: String?, _ body: String? = nil) async throws -> (HTTPResponse.Status, String) {
                    var headers: HTTPFields = [.contentType: "application/json"]
                    if let token { headers[.authorization] = "Bearer \(token)" }
                    return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) {
                        ($0.status, String(buffer: $0.body))
                    }
                }
                #expect(try await call("/api/0/organizations/", .get, nil).0 == .unauthorized)
                #expect(try await call("/api/0/organizations/", .get, "tlt_wrong").0 == .unauthorized)

                let (status, body) = try await call("/api/0/organizations/", .get, tokens.admin)
                #expect(status == .ok)
                #expect(body.contains(#""slug":"default""#) && body.contains(#""slug":"other""#))
                #expect(try await call("/api/0/organizations/", .get, tokens.outsider).1.contains(#""slug":"default""#) == false)

                let create = #"{"name": "Checkout", "platform": "python"}"#
                #expect(try await call("/api/0/organizations/default/projects/", .post, tokens.viewer, create).0 == .forbidden)
                #expect(try await call("/api/0/organizations/default/projects/", .post, tokens.outsider, create).0 == .notFound)
                #expect(try await call("/api/0/organizations/default/projects/", .post, tokens.readOnly, create).0 == .forbidden)
                let created = try await call("/api/0/organizations/default/projects/", .post, tokens.admin, create)
                #expect(created.0 == .created)
                #expect(created.1.contains(#""slug":"checkout""#))
                #expect(try await call("/api/0/organizations/default/projects/", .post, tokens.admin, create).0 == .conflict)
                #expect(try await call("/api/0/organizations/default/projects/", .post, tokens.admin, #"{"nom": 1}"#).0 == .badRequest)
                #expect(try await call("/api/0/organizations/default/projects/", .post, tokens.admin, "{").0 == .badRequest)

                let viewerList = try await call("/api/0/organizations/default/projects/", .get, tokens.viewer)
                #expect(viewerList.0 == .ok && viewerList.1.contains("checkout"))
                let keys = try await call("/api/0/projects/default/checkout/keys/", .get, tokens.viewer)
                #expect(keys.0 == .ok)
                #expect(keys.1.contains(#""public":"http:\/\/"#) || keys.1.contains(#""public":"http://"#))
                #expect(try await call("/api/0/organizations/", .post, tokens.viewer, #"{"name": "Mine"}"#).0 == .forbidden)
                #expect(try await call("/api/0/organizations/", .post, tokens.admin, #"{"name": "Mine"}"#).0 == .created)
            }
        }
    }
}
