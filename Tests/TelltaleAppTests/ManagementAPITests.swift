import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TelltaleApp
import TelltaleCore
import TelltaleTestSupport

@Suite("REST API: members, tokens, keys, project settings")
struct ManagementAPITests {
    @Test("what the CLI does, by role", arguments: TestDatabase.allCases)
    func management(database: TestDatabase) async throws {
        try await TestEnvironment.with(database) { environment in
            let app = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                let (owner, member) = try await environment.withAccounts { accounts, repositories in
                    let admin = try #require(try await repositories.users.user(email: "admin@example.com"))
                    let organization = try #require(try await repositories.organizations.all().first)
                    let user = try await accounts.createUser(email: "member@example.com", name: nil, password: "password123", isSystemAdmin: false)
                    try await repositories.organizations.setMembership(Membership(organizationID: organization.id, userID: user.id, role: .member))
                    return (try await accounts.issueToken(userID: admin.id, name: "t", scopes: Set(Scope.allCases)).secret,
                            try await accounts.issueToken(userID: user.id, name: "t", scopes: Set(Scope.allCases)).secret)
                }

                // Members: adding is an invitation; the new member joins through its link.
                let newMember = #"{"email":"new@example.com","role":"viewer"}"#
                #expect(try await client.api("organizations/default/members/", .post, member, newMember).0 == .forbidden)
                let invited = try await client.api("organizations/default/members/", .post, owner, newMember)
                #expect(invited.0 == .created, "\(invited.1)")
                #expect(invited.1.contains(#""status":"invited""#) && invited.1.contains("invitations"))
                #expect(try await client.api("organizations/default/invitations/", .get, owner, nil).1.contains("new@example.com"))
                #expect(!(try await client.api("organizations/default/invitations/", .get, owner, nil).1.contains("inviteUrl")))
                let id = try await environment.withAccounts { accounts, repositories in
                    let organization = try #require(try await repositories.organizations.all().first)
                    let invitation = try #require(try await repositories.invitations.open(organizationID: organization.id, now: Date()).first)
                    return try await accounts.acceptCreatingAccount(invitation, name: nil, password: "correct horse battery").id.description
                }
                #expect(try await client.api("organizations/default/members/", .get, member, nil).1.contains("new@example.com"))
                #expect(try await client.api("organizations/default/members/", .post, owner, newMember).0 == .conflict)
                #expect(try await client.api("organizations/default/members/\(id)/", .put, owner, #"{"role":"member"}"#).1.contains(#""role":"member""#))
                #expect(try await client.api("organizations/default/members/\(id)/", .put, owner, #"{"role":"boss"}"#).0 == .badRequest)
                #expect(try await client.api("organizations/default/members/1/", .delete, owner, nil).0 == .conflict)
                #expect(try await client.api("organizations/default/members/\(id)/", .delete, owner, nil).0 == .noContent)
                #expect(try await client.api("organizations/default/members/\(id)/", .delete, owner, nil).0 == .notFound)

                // Tokens: shown once, no wider than the token that makes them, revocable.
                let created = try await client.api("api-tokens/", .post, member, #"{"name":"ci","scopes":["event:read"]}"#)
                #expect(created.0 == .created)
                let token = try #require(try JSONSerialization.jsonObject(with: Data(created.1.utf8)) as? [String: Any])
                let secret = try #require(token["token"] as? String)
                #expect(try await client.api("projects/default/default/issues/", .get, secret, nil).0 == .ok)
                #expect(try await client.api("api-tokens/", .post, secret, #"{"name":"wider","scopes":["event:admin"]}"#).0 == .forbidden)
                // A narrow token cannot revoke a wider one of the same user.
                let listed = try #require(try JSONSerialization.jsonObject(with: Data(try await client.api("api-tokens/", .get, member, nil).1.utf8)) as? [[String: Any]])
                let wideID = try #require(listed.first { $0["name"] as? String == "t" }?["id"] as? String)
                #expect(try await client.api("api-tokens/\(wideID)/", .delete, secret, nil).0 == .forbidden)
                #expect(try await client.api("projects/default/default/issues/", .get, member, nil).0 == .ok)
                #expect(try await client.api("api-tokens/", .post, member, #"{"name":"x","scopes":["everything"]}"#).0 == .badRequest)
                #expect(!(try await client.api("api-tokens/", .get, member, nil).1.contains(secret)))
                #expect(try await client.api("api-tokens/\(token["id"] as? String ?? "")/", .delete, member, nil).0 == .noContent)
                #expect(try await client.api("projects/default/default/issues/", .get, secret, nil).0 == .unauthorized)

                // Keys and project settings: admins and owners only.
                #expect(try await client.api("projects/default/default/keys/", .post, member, #"{"name":"ci"}"#).0 == .forbidden)
                let key = try await client.api("projects/default/default/keys/", .post, owner, #"{"name":"ci"}"#)
                #expect(key.0 == .created)
                let keyID = try #require((try JSONSerialization.jsonObject(with: Data(key.1.utf8)) as? [String: Any])?["id"] as? String)
                let limited = try await client.api("projects/default/default/keys/\(keyID)/", .put, owner, #"{"isActive":false,"rateLimit":{"window":60,"count":100}}"#)
                #expect(limited.1.contains(#""isActive":false"#))
                #expect(limited.1.contains(#""count":100"#))
                #expect(try await client.api("projects/default/default/keys/\(keyID)/", .put, owner, #"{"rateLimit":null}"#).1.contains("rateLimit") == false)
                let settings = try await client.api("projects/default/default/", .put, owner, #"{"sampleRate":0.5,"retentionDays":7,"scrubbing":{"enabled":true,"ipAddresses":"hash","hashUserIDs":true,"sensitiveFields":["ssn"],"safeFields":[]}}"#)
                #expect(settings.0 == .ok, "\(settings.1)")
                #expect(try await client.api("projects/default/default/", .get, member, nil).1.contains(#""retentionDays":7"#))
                #expect(try await client.api("projects/default/default/", .put, owner, #"{"sampleRate":2}"#).0 == .badRequest)
                #expect(try await client.api("projects/default/default/", .put, member, #"{"sampleRate":1}"#).0 == .forbidden)
            }
        }
    }
}
