import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import TelltaleApp
import TelltaleCore
import TelltaleTestSupport

/// Each user field is searchable on its own, and a key that is neither a search key nor a tag
/// of the project's events is a 400 naming it.
extension IssuesAPITests {
    @Test("user.email, user.username, user.ip find their issues; unknown keys are refused", arguments: TestDatabase.allCases)
    func userFieldsAndUnknownKeys(database: TestDatabase) async throws {
        try await TestEnvironment.with(database) { environment in
            let app = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                let t = try await setUp(environment)
                for (message, user) in [("alice broke it", #"{"id":"42","email":"alice@example.com","username":"alice","ip_address":"10.1.2.3"}"#),
                                        ("bob broke it", #"{"email":"bob@example.com"}"#)] {
                    let status = try await client.execute(
                        uri: "/api/1/store/", method: .post,
                        headers: [HTTPField.Name("X-Sentry-Auth")!: "Sentry sentry_key=\(t.key), sentry_version=7", .contentType: "application/json"],
                        body: ByteBuffer(string: #"{"message":"\#(message)","level":"error","user":\#(user),"tags":{"region":"eu"}}"#)
                    ) { $0.status }
                    #expect(status == .ok)
                }
                let list = "projects/default/default/issues/?query="
                func titles(_ query: String) async throws -> [String] {
                    try await call(client, .get, list + query, auth: t.viewer).list.compactMap { $0["title"] as? String }
                }
                #expect(try await titles("user.email:alice@example.com") == ["alice broke it"])
                #expect(try await titles("user.email:bob@example.com") == ["bob broke it"])
                #expect(try await titles("user.username:alice") == ["alice broke it"])
                #expect(try await titles("user.ip:10.1.2.3") == ["alice broke it"])
                #expect(try await titles("user.id:42") == ["alice broke it"])
                #expect(try await titles("user.email:carol@example.com").isEmpty)
                #expect(try await titles("region:eu").count == 2)
                let unknown = try await call(client, .get, list + "transaction:%22GET%20/x%22", auth: t.viewer)
                #expect(unknown.status == .badRequest)
                #expect(unknown.body.contains("transaction"))
            }
        }
    }
}
