import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import TelltaleApp
import TelltaleCore
import TelltaleTestSupport

@Suite("Native error API and webhooks")
struct NativeAPITests {
    struct Setup: Sendable {
        var key: String
        var member: String
        var viewer: String
    }

    func setUp(_ environment: TestEnvironment) async throws -> Setup {
        try await environment.withAccounts { accounts, repositories in
            let project = try #require(try await repositories.projects.projects(organizationID: nil).first)
            let key = try #require(try await repositories.projects.keys(projectID: project.id).first)
            func token(_ email: String, _ role: Role) async throws -> String {
                let user = try await accounts.createUser(email: email, name: nil, password: "password123", isSystemAdmin: false)
                try await repositories.organizations.setMembership(Membership(organizationID: project.organizationID, userID: user.id, role: role))
                return try await accounts.issueToken(userID: user.id, name: "t", scopes: [.eventWrite, .eventRead]).secret
            }
            return Setup(key: key.publicKey, member: try await token("member@example.com", .member), viewer: try await token("viewer@example.com", .viewer))
        }
    }

    func post(_ client: some TestClientProtocol, _ path: String, _ body: String, auth: HTTPFields) async throws -> (HTTPResponse.Status, String) {
        var headers = auth
        headers[.contentType] = "application/json"
        return try await client.execute(uri: "/api/0/projects/default/default/" + path, method: .post, headers: headers, body: ByteBuffer(string: body)) {
            ($0.status, String(buffer: $0.body))
        }
    }

    @Test("one error, a batch, and precise refusals", arguments: TestDatabase.allCases)
    func native(database: TestDatabase) async throws {
        try await TestEnvironment.with(database) { environment in
            let app = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                let setup = try await setUp(environment)
                let keyAuth: HTTPFields = [HTTPField.Name("X-Sentry-Auth")!: "Sentry sentry_key=\(setup.key)"]
                let one = #"""
                    {"message":"card declined","error_type":"PaymentError","severity":"high","category":"payment","business_impact":"revenue_blocking",
                     "component":"checkout","endpoint":"POST /pay","user_id":"u1","request_id":"r-1","trace_id":"abc","revenue_impact":49.5,
                     "stack_trace":"Traceback (most recent call last):\n  File \"app/pay.py\", line 10, in charge\n    gateway.charge()\n",
                     "tags":{"region":"eu"},"context":{"cart":3}}
                    """#
                let (status, body) = try await post(client, "errors/", one, auth: keyAuth)
                #expect(status == .ok, "\(body)")
                #expect(body.contains(#""accepted":1"#))
                let batch = "[" + (0..<20).map { #"{"message":"timeout talking to db \#($0)","severity":"medium"}"# }.joined(separator: ",") + "]"
                let member: HTTPFields = [.authorization: "Bearer \(setup.member)"]
                #expect(try await post(client, "errors/", batch, auth: member).1.contains(#""accepted":20"#))
                #expect(try await post(client, "errors/", batch, auth: [.authorization: "Bearer \(setup.viewer)"]).0 == .forbidden)
                #expect(try await post(client, "errors/", batch, auth: [:]).0 == .unauthorized)
                let badSeverity = try await post(client, "errors/", #"[{"message":"x"},{"message":"y","severity":"urgent"}]"#, auth: keyAuth)
                #expect(badSeverity.0 == .badRequest)
                #expect(badSeverity.1.contains("errors[1].severity"))
                #expect(try await post(client, "errors/", #"{"severity":"low"}"#, auth: keyAuth).1.contains("error_type"))
                let tooMany = "[" + Array(repeating: #"{"message":"m"}"#, count: 1001).joined(separator: ",") + "]"
                #expect(try await post(client, "errors/", tooMany, auth: keyAuth).0 == .badRequest)

                let vercel = #"""
                    [{"id":"1","message":"Error: upstream failed","timestamp":1795000000000,"type":"stderr","source":"lambda","projectId":"p","deploymentId":"d","host":"shop.vercel.app","path":"/api/pay"},
                     {"id":"2","message":"GET /","timestamp":1795000000000,"type":"stdout","source":"static","statusCode":200}]
                    """#
                let drained = try await client.execute(uri: "/api/0/projects/default/default/webhooks/errors/vercel?sentry_key=\(setup.key)", method: .post,
                                                       body: ByteBuffer(string: vercel)) { ($0.status, String(buffer: $0.body)) }
                #expect(drained.0 == .ok)
                #expect(drained.1.contains(#""accepted":1"#))
                #expect(try await post(client, "webhooks/errors/custom", one, auth: keyAuth).0 == .ok)
                #expect(try await post(client, "webhooks/errors/papertrail", one, auth: keyAuth).0 == .notFound)

                let issues = try await client.execute(uri: "/api/0/projects/default/default/issues/", method: .get, headers: member) { String(buffer: $0.body) }
                #expect(issues.contains("PaymentError: card declined"))
                #expect(issues.contains(#""severity":"high""#))
                #expect(issues.contains(#""category":"payment""#))
                let stats = try await client.execute(uri: "/api/0/organizations/default/stats/", method: .get, headers: member) { String(buffer: $0.body) }
                let events = try #require((try JSONSerialization.jsonObject(with: Data(stats.utf8)) as? [String: Any])?["events"] as? [String: Any])
                #expect(((events["byCategory"] as? [String: Any])?["payment"] as? [[Int]])?.reduce(0) { $0 + $1[1] } == 2, "\(stats)")
                #expect(issues.contains("timeout talking to db <int>"))
            }
        }
    }
}
