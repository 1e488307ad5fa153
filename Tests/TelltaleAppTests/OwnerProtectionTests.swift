import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TelltaleApp
import TelltaleCore
import TelltaleTestSupport

/// Owners are protected from admins on every path, and an organization never loses its
/// last owner (the findings of the security review, as requests).
@Suite("Owner protection")
struct OwnerProtectionTests {
    @Test("an admin's token cannot demote, remove or re-add an owner", arguments: TestDatabase.allCases)
    func admins(database: TestDatabase) async throws {
        try await TestEnvironment.with(database) { environment in
            let app = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                let (ownerID, adminToken, ownerToken) = try await environment.withAccounts { accounts, repositories in
                    let organization = try #require(try await repositories.organizations.all().first)
                    let owner = try await accounts.createUser(email: "owner@example.com", name: nil, password: "password123", isSystemAdmin: false)
                    let admin = try await accounts.createUser(email: "admin2@example.com", name: nil, password: "password123", isSystemAdmin: false)
                    // The bootstrap administrator is a system admin; this organization's only member owner is `owner`.
                    for member in try await repositories.organizations.members(of: organization.id) {
                        _ = try await repositories.organizations.removeMembership(userID: member.0.id, organizationID: organization.id)
                    }
                    try await accounts.addMember(owner.id, role: .owner, to: organization.id, by: .installation)
                    try await accounts.addMember(admin.id, role: .admin, to: organization.id, by: .installation)
                    return (owner.id.description,
                            try await accounts.issueToken(userID: admin.id, name: "t", scopes: Set(Scope.allCases)).secret,
                            try await accounts.issueToken(userID: owner.id, name: "t", scopes: Set(Scope.allCases)).secret)
                }
                func call(_ path: String, _ method: HTTPRequest.Method, _ token: String, _ body: String? = nil) async throws -> HTTPResponse.Status {
                    try await client.execute(uri: "/api/0/organizations/default/" + path, method: method,
                                             headers: [.contentType: "application/json", .authorization: "Bearer \(token)"],
                                             body: body.map { ByteBuffer(string: $0) }) { $0.status }
                }
                #expect(try await call("members/\(ownerID)/", .put, adminToken, #"{"role":"viewer"}"#) == .forbidden)
                #expect(try await call("members/\(ownerID)/", .delete, adminToken) == .forbidden)
                #expect(try await call("members/", .post, adminToken, #"{"email":"owner@example.com","role":"viewer"}"#) == .conflict)
                #expect(try await call("members/", .post, adminToken, #"{"email":"someone@example.com","role":"owner"}"#) == .forbidden)
                // The sole owner cannot leave or step down either.
                #expect(try await call("members/\(ownerID)/", .put, ownerToken, #"{"role":"admin"}"#) == .conflict)
                #expect(try await call("members/\(ownerID)/", .delete, ownerToken) == .conflict)
                let roles = try await environment.withAccounts { _, repositories in
                    let organization = try #require(try await repositories.organizations.all().first)
                    return try await repositories.organizations.members(of: organization.id).map { "\($0.0.email)=\($0.1.rawValue)" }.sorted()
                }
                #expect(roles == ["admin2@example.com=admin", "owner@example.com=owner"])
            }
        }
    }
}
