import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import TelltaleApp
import TelltaleCore
import TelltaleTestSupport

/// The issues API driven as a user would: list and search, resolve, regress, merge, unmerge,
/// ignore until more events, comment, page events, delete, and each role's limits.
@Suite("Issues API")
struct IssuesAPITests {
    struct Tokens: Sendable {
        var key: String
        var member: HTTPFields
        var viewer: HTTPFields
        var admin: HTTPFields
        var outsider: HTTPFields
    }

    func setUp(_ environment: TestEnvironment) async throws -> Tokens {
        try await environment.withAccounts { accounts, repositories in
            let project = try #require(try await repositories.projects.projects(organizationID: nil).first)
            let key = try #require(try await repositories.projects.keys(projectID: project.id).first)
            func token(_ email: String, _ role: Role) async throws -> HTTPFields {
                let user = try await accounts.createUser(email: email, name: nil, password: "password123", isSystemAdmin: false)
                try await repositories.organizations.setMembership(Membership(organizationID: project.organizationID, userID: user.id, role: role))
                let secret = try await accounts.issueToken(userID: user.id, name: "t", scopes: [.eventRead, .eventWrite, .eventAdmin]).secret
                return [.authorization: "Bearer \(secret)"]
            }
            let outsider = try await accounts.createUser(email: "out@example.com", name: nil, password: "password123", isSystemAdmin: false)
            _ = try await accounts.createOrganization(slug: "other", name: "Other", owner: outsider.id)
            let outsiderSecret = try await accounts.issueToken(userID: outsider.id, name: "t", scopes: Set(Scope.allCases)).secret
            return Tokens(key: key.publicKey, member: try await token("member@example.com", .member),
                          viewer: try await token("viewer@example.com", .viewer), admin: try await token("manager@example.com", .admin),
                          outsider: [.authorization: "Bearer \(outsiderSecret)"])
        }
    }

    /// The manager's token with the project scopes too (the tokens of `setUp` carry event scopes only).
    func managerToken(_ environment: TestEnvironment) async throws -> HTTPFields {
        try await environment.withAccounts { accounts, repositories in
            let user = try #require(try await repositories.users.user(email: "manager@example.com"))
            let secret = try await accounts.issueToken(userID: user.id, name: "manager", scopes: [.projectRead, .projectWrite, .eventRead, .eventWrite]).secret
            return HTTPFields([HTTPField(name: .authorization, value: "Bearer " + secret)])
        }
    }

    struct Reply {
        var status: HTTPResponse.Status
        var body: String
        var headers: HTTPFields
        var json: Any? { try? JSONSerialization.jsonObject(with: Data(body.utf8), options: [.fragmentsAllowed]) }
        var list: [[String: Any]] { json as? [[String: Any]] ?? [] }
        var object: [String: Any] { json as? [String: Any] ?? [:] }
    }

    func call(_ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ path: String, _ body: String? = nil, auth: HTTPFields) async throws -> Reply {
        var headers = auth
        if body != nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: "/api/0/" + path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) {
            Reply(status: $0.status, body: String(buffer: $0.body), headers: $0.headers)
        }
    }

    func send(_ client: some TestClientProtocol, _ key: String, _ errors: [String]) async throws {
        let reply = try await client.execute(uri: "/api/0/projects/default/default/errors/", method: .post,
                                             headers: [HTTPField.Name("X-Sentry-Auth")!: "Sentry sentry_key=\(key)", .contentType: "application/json"],
                                             body: ByteBuffer(string: "[" + errors.joined(separator: ",") + "]")) { String(buffer: $0.body) }
        #expect(reply.contains("\"accepted\":\(errors.count)"), "\(reply)")
    }

    static func error(_ type: String, _ message: String, user: String, region: String) -> String {
        #"{"error_type":"\#(type)","message":"\#(message)","user_id":"\#(user)","tags":{"region":"\#(region)"},"stack_trace":"Traceback (most recent call last):\n  File \"app/\#(type).py\", line 3, in handle\n    run()\n"}"#
    }

    @Test("first event to resolved, regression, merge, unmerge, ignore, comments, roles", arguments: TestDatabase.allCases)
    func workflow(database: TestDatabase) async throws {
        try await TestEnvironment.with(database) { environment in
            let app = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                let t = try await setUp(environment)
                let list = "projects/default/default/issues/"
                try await send(client, t.key, [
                    Self.error("PaymentError", "card declined", user: "u1", region: "eu"), Self.error("PaymentError", "card declined", user: "u2", region: "eu"),
                    Self.error("PaymentError", "card declined", user: "u1", region: "us"), Self.error("TimeoutError", "db timeout", user: "u3", region: "us"),
                    Self.error("TimeoutError", "db timeout", user: "u3", region: "us"), Self.error("KeyError", "missing", user: "u4", region: "us"),
                ])

                // List, sort, search, paging.
                let all = try await call(client, .get, list + "?sort=freq", auth: t.viewer)
                #expect(all.status == .ok)
                #expect(all.list.map { $0["title"] as? String } == ["PaymentError: card declined", "TimeoutError: db timeout", "KeyError: missing"])
                let payment = try #require(all.list.first)
                #expect(payment["count"] as? String == "3")
                #expect(payment["userCount"] as? Int == 2)
                #expect(payment["shortId"] as? String == "DEFAULT-1")
                #expect(((payment["stats"] as? [String: Any])?["24h"] as? [[Int]])?.count == 24)
                let paymentID = try #require(payment["id"] as? String)
                let timeoutID = try #require(all.list[1]["id"] as? String)
                let keyErrorID = try #require(all.list[2]["id"] as? String)
                #expect(try await call(client, .get, list + "?query=region:eu", auth: t.viewer).list.map { $0["id"] as? String } == [paymentID])
                #expect(try await call(client, .get, list + "?query=times_seen:%3E2", auth: t.viewer).list.count == 1)
                #expect(try await call(client, .get, list + "?query=%22db%20timeout%22", auth: t.viewer).list.map { $0["id"] as? String } == [timeoutID])
                #expect(try await call(client, .get, list + "?query=user.id:u4%20level:error", auth: t.viewer).list.map { $0["id"] as? String } == [keyErrorID])
                #expect(try await call(client, .get, list + "?query=!region:eu%20age:-1h", auth: t.viewer).list.count == 2)
                let bad = try await call(client, .get, list + "?query=is:sleeping", auth: t.viewer)
                #expect(bad.status == .badRequest)
                #expect(bad.body.contains("is:sleeping"))
                #expect(try await call(client, .get, list + "?cursor=nonsense", auth: t.viewer).status == .badRequest)
                var seen: [String] = []
                var path = list + "?sort=freq&limit=1"
                while true {
                    let page = try await call(client, .get, path, auth: t.viewer)
                    seen += page.list.compactMap { $0["id"] as? String }
                    guard let link = page.headers[HTTPField.Name("Link")!], let start = link.range(of: "cursor=\""),
                          let end = link[start.upperBound...].firstIndex(of: "\"") else { break }
                    path = list + "?sort=freq&limit=1&cursor=" + link[start.upperBound..<end]
                }
                #expect(seen == [paymentID, timeoutID, keyErrorID])

                // Another organization's owner sees none of it.
                #expect(try await call(client, .get, list, auth: t.outsider).status == .notFound)
                #expect(try await call(client, .get, "issues/\(paymentID)/", auth: t.outsider).status == .notFound)
                #expect(try await call(client, .put, "issues/\(paymentID)/", #"{"status":"resolved"}"#, auth: t.outsider).status == .notFound)
                #expect(try await call(client, .get, "organizations/default/stats/", auth: t.outsider).status == .notFound)

                // Resolve; a viewer may not.
                #expect(try await call(client, .put, "issues/\(paymentID)/", #"{"status":"resolved"}"#, auth: t.viewer).status == .forbidden)
                #expect(try await call(client, .put, "issues/\(paymentID)/", #"{"status":"recurring"}"#, auth: t.member).status == .badRequest)
                let resolved = try await call(client, .put, "issues/\(paymentID)/", #"{"status":"resolved","resolutionNote":"retry the gateway"}"#, auth: t.member)
                #expect(resolved.status == .ok, "\(resolved.body)")
                #expect(resolved.object["status"] as? String == "resolved")
                #expect((resolved.object["resolvedBy"] as? [String: Any])?["email"] as? String == "member@example.com")
                #expect(resolved.object["timeToResolve"] != nil)
                #expect(try await call(client, .get, list, auth: t.viewer).list.count == 2)
                #expect(try await call(client, .get, list + "?query=is:resolved", auth: t.viewer).list.count == 1)

                // Organization stats: events by level over time, resolutions and their mean time.
                let stats = try await call(client, .get, "organizations/default/stats/?interval=1h&project=default", auth: t.viewer)
                #expect(stats.status == .ok, "\(stats.body)")
                let events = try #require(stats.object["events"] as? [String: Any])
                #expect((events["total"] as? [[Int]])?.reduce(0) { $0 + $1[1] } == 6)
                #expect(((events["byLevel"] as? [String: Any])?["error"] as? [[Int]])?.count == 25, "aligned hours: the partial first hour through the current one")
                let issueStats = try #require(stats.object["issues"] as? [String: Any])
                #expect((issueStats["new"] as? [[Int]])?.reduce(0) { $0 + $1[1] } == 3)
                #expect(issueStats["resolved"] as? Int == 1)
                #expect(issueStats["meanTimeToResolve"] is Double)
                #expect(try await call(client, .get, "organizations/default/stats/?interval=1s", auth: t.viewer).status == .badRequest)
                #expect(try await call(client, .get, "organizations/default/stats/?project=elsewhere", auth: t.viewer).status == .badRequest)

                // A new event regresses it.
                try await send(client, t.key, [Self.error("PaymentError", "card declined", user: "u5", region: "eu")])
                let regressed = try await call(client, .get, "issues/\(paymentID)/", auth: t.viewer)
                #expect(regressed.object["status"] as? String == "recurring")
                #expect(regressed.object["regressedAt"] != nil)
                #expect((regressed.object["tags"] as? [[String: Any]])?.contains { $0["key"] as? String == "region" } == true)
                let activity = try await call(client, .get, "issues/\(paymentID)/activity/", auth: t.viewer).list.map { $0["type"] as? String }
                #expect(activity == ["set_status", "set_regression"])

                // Comments.
                #expect(try await call(client, .post, "issues/\(paymentID)/comments/", #"{"text":"looking"}"#, auth: t.viewer).status == .forbidden)
                #expect(try await call(client, .post, "issues/\(paymentID)/comments/", #"{"text":"looking"}"#, auth: t.member).status == .created)
                #expect(try await call(client, .get, "issues/\(paymentID)/comments/", auth: t.viewer).list.first?["data"] as? [String: String] == ["text": "looking"])

                // Ignore until two more events.
                let ignored = try await call(client, .put, "issues/\(keyErrorID)/", #"{"status":"ignored","statusDetails":{"ignoreCount":2}}"#, auth: t.member)
                #expect(ignored.object["status"] as? String == "ignored")
                try await send(client, t.key, [Self.error("KeyError", "missing", user: "u4", region: "us")])
                #expect(try await call(client, .get, "issues/\(keyErrorID)/", auth: t.viewer).object["status"] as? String == "ignored")
                try await send(client, t.key, [Self.error("KeyError", "missing", user: "u4", region: "us")])
                #expect(try await call(client, .get, "issues/\(keyErrorID)/", auth: t.viewer).object["status"] as? String == "new")

                // Events of an issue, paged; the latest one in full.
                let firstPage = try await call(client, .get, "issues/\(paymentID)/events/?limit=2", auth: t.viewer)
                #expect(firstPage.list.count == 2)
                #expect(firstPage.headers[HTTPField.Name("Link")!] != nil)
                let latest = try await call(client, .get, "issues/\(paymentID)/events/latest/", auth: t.viewer)
                #expect(latest.object["groupID"] as? String == paymentID)
                #expect(latest.object["exception"] != nil)

                // Merge the timeout issue into the payment issue (it has more events), then split it off again.
                let timeoutHashes = try await call(client, .get, "issues/\(timeoutID)/hashes/", auth: t.viewer).list.compactMap { $0["id"] as? String }
                #expect(!timeoutHashes.isEmpty)
                #expect(try await call(client, .put, list + "?id=\(paymentID)&id=\(timeoutID)", #"{"merge":1}"#, auth: t.viewer).status == .forbidden)
                let merged = try await call(client, .put, list + "?id=\(paymentID)&id=\(timeoutID)", #"{"merge":1}"#, auth: t.member)
                #expect(merged.status == .ok, "\(merged.body)")
                #expect((merged.object["merge"] as? [String: Any])?["parent"] as? String == paymentID)
                let parent = try await call(client, .get, "issues/\(timeoutID)/", auth: t.viewer)
                #expect(parent.object["id"] as? String == paymentID)
                #expect(parent.object["count"] as? String == "6")
                #expect(try await call(client, .get, list + "?query=", auth: t.viewer).list.count == 2)
                #expect(try await call(client, .get, list + "?query=%22db%20timeout%22", auth: t.viewer).list.isEmpty)
                let hashes = try await call(client, .get, "issues/\(paymentID)/hashes/", auth: t.viewer).list.compactMap { $0["id"] as? String }
                #expect(Set(timeoutHashes).isSubset(of: Set(hashes)))
                let query = timeoutHashes.map { "id=\($0)" }.joined(separator: "&")
                let unmerged = try await call(client, .delete, "issues/\(paymentID)/hashes/?\(query)", auth: t.member)
                #expect(unmerged.status == .created, "\(unmerged.body)")
                #expect((unmerged.object["title"] as? String)?.hasPrefix("TimeoutError") == true)
                #expect(unmerged.object["count"] as? String == "2")
                #expect(try await call(client, .get, "issues/\(paymentID)/", auth: t.viewer).object["count"] as? String == "4")

                // Bulk assign by search; assigned:me finds them.
                let bulk = try await call(client, .put, list + "?query=is:unresolved", #"{"assignedTo":"member@example.com"}"#, auth: t.member)
                #expect(bulk.status == .ok, "\(bulk.body)")
                #expect(try await call(client, .get, list + "?query=assigned:me", auth: t.member).list.count == bulk.list.count)
                #expect(try await call(client, .put, "issues/\(paymentID)/", #"{"assignedTo":"nobody@example.com"}"#, auth: t.member).status == .badRequest)

                // Delete: admins only.
                #expect(try await call(client, .delete, "issues/\(keyErrorID)/", auth: t.member).status == .forbidden)
                #expect(try await call(client, .delete, "issues/\(keyErrorID)/", auth: t.admin).status == .accepted)
                #expect(try await call(client, .get, "issues/\(keyErrorID)/", auth: t.viewer).status == .notFound)
            }
        }
    }
}
