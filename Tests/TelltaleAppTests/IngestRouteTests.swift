import CompressNIO
import Foundation
import HTTPTypes
import SQLKit
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import TelltaleApp
import TelltaleCore
import TelltaleStore
import TelltaleTestSupport

/// The Sentry ingest endpoints through the real router, on both databases.
@Suite("Ingest endpoints")
struct IngestRouteTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/fixtures/sentry-python")

    static func fixture(_ name: String) throws -> (body: [UInt8], headers: [(String, String)]) {
        let body = Array(try Data(contentsOf: fixtures.appendingPathComponent("\(name).body")))
        let meta = try JSONSerialization.jsonObject(with: Data(contentsOf: fixtures.appendingPathComponent("\(name).request.json"))) as! [String: Any]
        let headers = (meta["headers"] as! [[String]]).map { ($0[0], $0[1]) }
        return (body, headers)
    }

    struct Setup: Sendable {
        var key: String
        var projectID: Int64
        var otherKey: String
    }

    /// The default project's key plus a second project's key.
    func setUp(_ environment: TestEnvironment) async throws -> Setup {
        try await environment.withAccounts { accounts, repositories in
            let project = try #require(try await repositories.projects.projects(organizationID: nil).first)
            let key = try #require(try await repositories.projects.keys(projectID: project.id).first)
            let (_, otherKey) = try await accounts.createProject(organizationID: project.organizationID, slug: "other", name: "Other", platform: nil)
            return Setup(key: key.publicKey, projectID: project.id.rawValue, otherKey: otherKey.publicKey)
        }
    }

    func post(_ client: some TestClientProtocol, project: Int64, key: String?, body: [UInt8], encoding: String? = nil,
              endpoint: String = "envelope", extraHeaders: [(String, String)] = []) async throws -> (HTTPResponse.Status, String, HTTPFields) {
        var headers: HTTPFields = [.contentType: "application/x-sentry-envelope"]
        if let key { headers[HTTPField.Name("X-Sentry-Auth")!] = "Sentry sentry_key=\(key), sentry_version=7, sentry_client=sentry.python/2.75.0" }
        if let encoding { headers[.contentEncoding] = encoding }
        for (name, value) in extraHeaders { headers[HTTPField.Name(name)!] = value }
        return try await client.execute(uri: "/api/\(project)/\(endpoint)/", method: .post, headers: headers, body: ByteBuffer(bytes: body)) {
            ($0.status, String(buffer: $0.body), $0.headers)
        }
    }

    func count(_ environment: TestEnvironment, _ table: String) async throws -> Int {
        let store = try await environment.openStore()
        return try await store.whileRunning { store in
            try await store.backend.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first(decodingColumn: "n", as: Int.self) ?? 0
            }
        }
    }

    @Test("every recorded fixture is accepted and stored where it belongs", arguments: TestDatabase.allCases)
    func fixtures(database: TestDatabase) async throws {
        try await TestEnvironment.with(database) { environment in
            let app = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                let setup = try await setUp(environment)
                let names = try FileManager.default.contentsOfDirectory(atPath: Self.fixtures.path).filter { $0.hasSuffix(".body") }.sorted()
                for name in names {
                    let fixture = try Self.fixture(String(name.dropLast(5)))
                    let encoding = fixture.headers.first { $0.0.lowercased() == "content-encoding" }?.1
                    let (status, body, headers) = try await post(client, project: setup.projectID, key: setup.key, body: fixture.body, encoding: encoding)
                    #expect(status == .ok, "\(name): \(body)")
                    #expect(headers[.accessControlAllowOrigin] == "*")
                }
            }
            // 17 from the fixtures, plus the error the failing cron monitor of `checkin_decorator` reports.
            #expect(try await count(environment, "events") == 18)
            #expect(try await count(environment, "issues") == 16)
            #expect(try await count(environment, "transactions") == 3)
            #expect(try await count(environment, "check_ins") == 5)
            #expect(try await count(environment, "user_reports") == 2)
            #expect(try await count(environment, "attachments") == 2)
            #expect(try await count(environment, "sessions") >= 4)
            #expect(try await count(environment, "outcomes") > 0)
        }
    }

    @Test("authentication: missing, unknown, other project, unknown project, disabled")
    func authentication() async throws {
        try await TestEnvironment.with(.sqlite) { environment in
            let app = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                let setup = try await setUp(environment)
                let body = try Self.fixture("message").body
                #expect(try await post(client, project: setup.projectID, key: nil, body: body).0 == .unauthorized)
                #expect(try await post(client, project: setup.projectID, key: "0123456789abcdef0123456789abcdef", body: body).0 == .unauthorized)
                #expect(try await post(client, project: setup.projectID, key: setup.otherKey, body: body).0 == .forbidden)
                #expect(try await post(client, project: 999, key: setup.key, body: body).0 == .notFound)
                let query = try await client.execute(uri: "/api/\(setup.projectID)/envelope/?sentry_key=\(setup.key)&sentry_version=7", method: .post,
                                                     body: ByteBuffer(bytes: body)) { $0.status }
                #expect(query == .ok)
                try await environment.withAccounts { _, repositories in
                    let key = try #require(try await repositories.projects.key(publicKey: setup.key))
                    try await repositories.projects.updateKey(id: key.id, isActive: false, rateLimitPerMinute: nil)
                }
                try await Task.sleep(for: .seconds(5.2)) // the key cache keeps grants for 5 s
                let (status, detail, _) = try await post(client, project: setup.projectID, key: setup.key, body: body)
                #expect(status == .forbidden)
                #expect(detail.contains("disabled"))
            }
        }
    }

    @Test("hostile bodies are answered precisely and earlier data stays intact")
    func hostile() async throws {
        try await TestEnvironment.with(.sqlite) { environment in
            let app = try await buildApplication(reader: environment.reader(["ingest.max_envelope_mb": "2"]), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                let setup = try await setUp(environment)
                let good = try Self.fixture("exception_chained").body
                #expect(try await post(client, project: setup.projectID, key: setup.key, body: good).0 == .ok)

                func expect(_ body: [UInt8], _ status: HTTPResponse.Status, _ reason: String, encoding: String? = nil) async throws {
                    let (got, detail, headers) = try await post(client, project: setup.projectID, key: setup.key, body: body, encoding: encoding)
                    #expect(got == status, "\(reason): \(detail)")
                    #expect(detail.contains(reason), "\(detail)")
                    #expect(headers[HTTPField.Name("X-Sentry-Error")!] != nil)
                }
                try await expect(Array(good.prefix(200)), .badRequest, "malformed envelope")
                try await expect(Array("{}\n{\"type\":\"event\",\"length\":2}\n{}X".utf8), .badRequest, "expected a newline")
                try await expect([0x7B, 0xFF, 0xFE, 0x7D, 0x0A], .badRequest, "not valid JSON")
                try await expect([], .badRequest, "empty request body")
                try await expect(Array("not gzip at all".utf8), .badRequest, "not valid gzip", encoding: "gzip")
                try await expect(Array("x".utf8), .unsupportedMediaType, "unsupported Content-Encoding", encoding: "compress")
                try await expect(Array(repeating: 0x20, count: 3 << 20), .contentTooLarge, "exceeds the limit")
                var zeros = ByteBuffer(bytes: [UInt8](repeating: 0, count: 64 << 20))
                let bomb = Array(buffer: try zeros.compress(with: .gzip()))
                #expect(bomb.count < 200_000)
                try await expect(bomb, .contentTooLarge, "after decompression", encoding: "gzip")
                let deep = "{\"event_id\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}\n{\"type\":\"event\"}\n" + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "\n"
                let (deepStatus, _, _) = try await post(client, project: setup.projectID, key: setup.key, body: Array(deep.utf8))
                #expect(deepStatus == .ok) // the bad item is dropped and counted; the envelope framing was fine
                #expect(try await post(client, project: setup.projectID, key: setup.key, body: good, extraHeaders: [("Content-Type", "text/plain;charset=UTF-8")]).0 == .ok)
            }
            #expect(try await count(environment, "events") == 1)
            #expect(try await count(environment, "outcomes") >= 1)
        }
    }

    @Test("the same event id twice is stored once; both answers carry the id", arguments: TestDatabase.allCases)
    func idempotent(database: TestDatabase) async throws {
        try await TestEnvironment.with(database) { environment in
            let app = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                let setup = try await setUp(environment)
                let body = try Self.fixture("exception_chained").body
                let first = try await post(client, project: setup.projectID, key: setup.key, body: body)
                let second = try await post(client, project: setup.projectID, key: setup.key, body: body)
                #expect(first.0 == .ok && second.0 == .ok)
                #expect(first.1 == #"{"id":"4775d8b8edcb4f069f1e2fc4ac2fdd9d"}"#)
                #expect(second.1 == first.1)
            }
            #expect(try await count(environment, "events") == 1)
        }
    }

    @Test("store endpoint: JSON and legacy base64+zlib bodies, and a JSON event sent with the envelope type")
    func store() async throws {
        try await TestEnvironment.with(.sqlite) { environment in
            let app = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                let setup = try await setUp(environment)
                let json = Array(#"{"event_id":"cccccccccccccccccccccccccccccccc","message":"legacy hello","level":"info"}"#.utf8)
                let (status, body, _) = try await post(client, project: setup.projectID, key: setup.key, body: json, endpoint: "store",
                                                       extraHeaders: [("Content-Type", "application/json")])
                #expect(status == .ok)
                #expect(body == #"{"id":"cccccccccccccccccccccccccccccccc"}"#)
                var buffer = ByteBuffer(bytes: Array(#"{"event_id":"dddddddddddddddddddddddddddddddd","message":"raven"}"#.utf8))
                let compressed = try buffer.compress(with: .zlib())
                let base64 = Array(Data(Array(buffer: compressed)).base64EncodedString().utf8)
                #expect(try await post(client, project: setup.projectID, key: setup.key, body: base64, endpoint: "store",
                                       extraHeaders: [("Content-Type", "application/octet-stream")]).0 == .ok)
                // A one-line JSON event under the envelope content type is still the event, not an
                // envelope header without items (which would be answered and lost).
                let mislabelled = Array(#"{"event_id":"eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee","message":"mislabelled","level":"error"}"#.utf8)
                #expect(try await post(client, project: setup.projectID, key: setup.key, body: mislabelled, endpoint: "store").1
                        == #"{"id":"eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"}"#)
            }
            #expect(try await count(environment, "events") == 3)
        }
    }

    @Test("CORS preflight answers with the Sentry header list")
    func preflight() async throws {
        try await TestEnvironment.with(.sqlite) { environment in
            let app = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                try await client.execute(uri: "/api/1/envelope/", method: .options, headers: [.origin: "https://shop.example.com"]) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.accessControlAllowOrigin] == "*")
                    #expect(response.headers[.accessControlAllowHeaders]?.contains("x-sentry-auth") == true)
                }
            }
        }
    }

    @Test("per-key rate limit: 429 with Retry-After and X-Sentry-Rate-Limits in SDK grammar")
    func rateLimit() async throws {
        try await TestEnvironment.with(.sqlite) { environment in
            let app = try await buildApplication(reader: environment.reader(["ingest.key_rate_limit": "2"]), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                let setup = try await setUp(environment)
                let body = try Self.fixture("message").body
                #expect(try await post(client, project: setup.projectID, key: setup.key, body: body).0 == .ok)
                #expect(try await post(client, project: setup.projectID, key: setup.key, body: body).0 == .ok)
                let (status, _, headers) = try await post(client, project: setup.projectID, key: setup.key, body: body)
                #expect(status == .tooManyRequests)
                let retry = try #require(headers[.retryAfter].flatMap(Int.init))
                #expect((1...60).contains(retry))
                let limits = try #require(headers[HTTPField.Name("X-Sentry-Rate-Limits")!])
                #expect(limits.hasPrefix("\(retry):error;default;transaction:key"))
            }
        }
    }
}
