import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TelltaleApp
import TelltaleCore
import TelltaleTestSupport

@Suite("REST API: monitors, health, status pages, pings")
struct MonitorsAPITests {
    struct Tokens: Sendable { var admin: String; var member: String; var viewer: String }

    static func tokens(_ environment: TestEnvironment) async throws -> Tokens {
        try await environment.withAccounts { accounts, repositories in
            let admin = try #require(try await repositories.users.user(email: "admin@example.com"))
            let organization = try #require(try await repositories.organizations.all().first)
            let member = try await accounts.createUser(email: "member@example.com", name: nil, password: "password123", isSystemAdmin: false)
            let viewer = try await accounts.createUser(email: "viewer@example.com", name: nil, password: "password123", isSystemAdmin: false)
            try await repositories.organizations.setMembership(Membership(organizationID: organization.id, userID: member.id, role: .member))
            try await repositories.organizations.setMembership(Membership(organizationID: organization.id, userID: viewer.id, role: .viewer))
            return Tokens(admin: try await accounts.issueToken(userID: admin.id, name: "t", scopes: Set(Scope.allCases)).secret,
                          member: try await accounts.issueToken(userID: member.id, name: "t", scopes: Set(Scope.allCases)).secret,
                          viewer: try await accounts.issueToken(userID: viewer.id, name: "t", scopes: Set(Scope.allCases)).secret)
        }
    }

    static func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    @Test("create, read without secrets, roles, precise 400s, uptime, health, status page, pings", arguments: TestDatabase.allCases)
    func lifecycle(database: TestDatabase) async throws {
        try await TestEnvironment.with(database) { environment in
            let app = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                let tokens = try await Self.tokens(environment)
                func call(_ path: String, _ method: HTTPRequest.Method, _ token: String, _ body: String? = nil) async throws -> (HTTPResponse.Status, String) {
                    try await client.execute(uri: "/api/0/" + path, method: method,
                                             headers: [.contentType: "application/json", .authorization: "Bearer \(token)"],
                                             body: body.map { ByteBuffer(string: $0) }) { ($0.status, String(buffer: $0.body)) }
                }
                let http = #"{"name":"Shop API","type":"http","url":"http://127.0.0.1:9/health","component":"API","interval_seconds":60,"failure_threshold":2,"recovery_threshold":3,"headers":{"Authorization":"Bearer s3cret-token"},"body":"password=hunter2"}"#
                #expect(try await call("organizations/default/monitors/", .post, tokens.member, http).0 == .forbidden)
                let created = try await call("organizations/default/monitors/", .post, tokens.admin, http)
                #expect(created.0 == .created, "\(created.1)")
                let monitor = Self.json(created.1)
                let id = try #require(monitor["id"] as? String)
                #expect(monitor["status"] as? String == "pending")
                #expect(monitor["failure_threshold"] as? Int == 2)
                #expect(monitor["recovery_threshold"] as? Int == 3)
                #expect(monitor["header_names"] as? [String] == ["Authorization"])
                for text in [created.1, try await call("monitors/\(id)/", .get, tokens.viewer).1, try await call("organizations/default/monitors/", .get, tokens.viewer).1] {
                    #expect(!text.contains("s3cret"))
                    #expect(!text.contains("hunter2"))
                }

                // Bad input names the field.
                let bad: [(String, String)] = [
                    (#"{"name":"x","type":"smtp"}"#, "type"),
                    (#"{"name":"x","type":"http","url":"http://a","interval_seconds":0}"#, "interval_seconds"),
                    (#"{"name":"x","type":"http","url":"ftp://a"}"#, "url"),
                    (#"{"name":"x","type":"tcp","host":"db","port":70000}"#, "port"),
                    (#"{"name":"x","type":"heartbeat","schedule":"* * *"}"#, "schedule"),
                    (#"{"name":"x","type":"heartbeat","schedule":"0 3 * * *","timezone":"Moon/Base"}"#, "timezone"),
                    (#"{"name":"x","type":"http","url":"http://a","expected_status":["999"]}"#, "expected_status"),
                ]
                for (body, field) in bad {
                    let (status, text) = try await call("organizations/default/monitors/", .post, tokens.admin, body)
                    #expect(status == .badRequest, "\(body)")
                    #expect(text.contains(field), "\(text)")
                }

                // An edit without the secrets keeps them.
                let edit = #"{"name":"Shop API","type":"http","url":"http://127.0.0.1:9/health","component":"API","interval_seconds":30}"#
                #expect(try await call("monitors/\(id)/", .put, tokens.admin, edit).1.contains(#""interval_seconds":30"#))
                #expect(try await call("monitors/\(id)/", .put, tokens.admin, #"{"name":"x","type":"tcp","host":"a","port":1}"#).0 == .badRequest)
                try await environment.withAccounts { _, repositories in
                    guard case .http(let target) = try #require(try await repositories.monitors.monitor(id: MonitorID(Int64(id)!))).target else { Issue.record("type"); return }
                    #expect(target.headers["Authorization"] == "Bearer s3cret-token")
                    #expect(target.body == "password=hunter2")
                }

                // Members pause and resume; viewers may not.
                #expect(try await call("monitors/\(id)/pause", .post, tokens.viewer).0 == .forbidden)
                #expect(try await call("monitors/\(id)/pause", .post, tokens.member).1.contains(#""status":"paused""#))
                #expect(try await call("monitors/\(id)/resume", .post, tokens.member).1.contains(#""status":"pending""#))

                // Heartbeats: the ping URL is the credential.
                let beat = Self.json(try await call("organizations/default/monitors/", .post, tokens.admin, #"{"name":"Backup","type":"heartbeat","interval_seconds":3600,"grace_seconds":60}"#).1)
                let pingURL = try #require(beat["ping_url"] as? String)
                let pingPath = try #require(URLComponents(string: pingURL)?.path)
                let beatID = try #require(beat["id"] as? String)
                #expect(try await client.execute(uri: pingPath + "/start?rid=run-1", method: .get) { $0.status } == .ok)
                #expect(try await client.execute(uri: pingPath + "?rid=run-1", method: .post, body: ByteBuffer(string: "42 files")) { $0.status } == .ok)
                #expect(try await client.execute(uri: "/ping/0123456789abcdef0123456789abcdef", method: .get) { $0.status } == .notFound)
                #expect(try await client.execute(uri: pingPath + "/reboot", method: .get) { $0.status } == .notFound)
                #expect(try await client.execute(uri: pingPath, method: .post, body: ByteBuffer(repeating: 0x61, count: 20_000)) { $0.status } == .contentTooLarge)
                #expect(try await call("monitors/\(beatID)/", .get, tokens.viewer).1.contains(#""status":"up""#))
                let pings = try await environment.withAccounts { _, repositories in try await repositories.monitors.pings(monitorID: MonitorID(Int64(beatID)!), limit: 10) }
                #expect(pings.count == 2)
                #expect(pings.first?.body == "42 files")
                #expect(pings.first?.durationSeconds != nil)

                // Uptime, health.
                let uptime = Self.json(try await call("monitors/\(beatID)/uptime/?days=30", .get, tokens.viewer).1)
                #expect(uptime["uptime_percent"] as? Double == 100)
                #expect(uptime["downtime_seconds"] as? Double == 0)
                #expect((uptime["periods"] as? [Any])?.isEmpty == true)
                #expect(try await call("monitors/\(beatID)/uptime/?days=0", .get, tokens.viewer).0 == .badRequest)
                let health = Self.json(try await call("organizations/default/health/", .get, tokens.viewer).1)
                #expect((health["monitors"] as? [Any])?.count == 2)
                #expect((health["counts"] as? [String: Int])?["up"] == 1)

                // A status page shows only what was chosen, and none of its secrets or URLs.
                #expect(try await call("organizations/default/status-pages/", .post, tokens.member, #"{"slug":"shop","title":"Shop"}"#).0 == .forbidden)
                let page = try await call("organizations/default/status-pages/", .post, tokens.admin, #"{"slug":"shop","title":"Shop status","monitors":["\#(id)","\#(beatID)"]}"#)
                #expect(page.0 == .created, "\(page.1)")
                #expect(try await call("organizations/default/status-pages/", .post, tokens.admin, #"{"slug":"shop","title":"Again"}"#).0 == .conflict)
                let pageID = try #require(Self.json(page.1)["id"] as? String)
                #expect(try await call("status-pages/\(pageID)/notices/", .post, tokens.admin, #"{"title":"Payments slow","body":"Investigating","severity":"minor"}"#).0 == .created)
                let publicJSON = try await client.execute(uri: "/status/shop.json", method: .get) { String(buffer: $0.body) }
                let snapshot = Self.json(publicJSON)
                #expect((snapshot["components"] as? [[String: Any]])?.map { $0["name"] as? String } == ["API", "Backup"])
                for secret in ["127.0.0.1:9", "s3cret", "hunter2", "health", "42 files"] { #expect(!publicJSON.contains(secret), "\(secret)") }
                let html = try await client.execute(uri: "/status/shop", method: .get) { ($0.status, String(buffer: $0.body)) }
                #expect(html.0 == .ok)
                #expect(html.1.contains("Payments slow"))
                #expect(!html.1.contains("127.0.0.1:9"))
                #expect(try await client.execute(uri: "/status/shop/feed.atom", method: .get) { String(buffer: $0.body) }.contains("<title>Payments slow</title>"))
                #expect(try await client.execute(uri: "/status/shop/badge/api.svg", method: .get) { String(buffer: $0.body) }.hasPrefix("<svg"))
                #expect(try await client.execute(uri: "/status/nothing", method: .get) { $0.status } == .notFound)

                // Maintenance windows.
                let window = #"{"title":"Patch","weekdays":[0],"start_time":"02:00","duration_minutes":60,"timezone":"Europe/Berlin","status_page":"\#(pageID)"}"#
                #expect(try await call("organizations/default/maintenance-windows/", .post, tokens.admin, window).0 == .created)
                #expect(try await call("organizations/default/maintenance-windows/", .post, tokens.admin, #"{"title":"x","weekdays":[9],"start_time":"02:00"}"#).0 == .badRequest)
                #expect(try await call("organizations/default/maintenance-windows/", .post, tokens.admin, #"{"title":"x","start":"2026-01-01T00:00:00Z","end":"2026-01-01T01:00:00Z"}"#).0 == .badRequest)

                #expect(try await call("monitors/\(id)/", .delete, tokens.member).0 == .forbidden)
                #expect(try await call("monitors/\(id)/", .delete, tokens.admin).0 == .noContent)
                #expect(try await call("monitors/\(id)/", .get, tokens.admin).0 == .notFound)
            }
        }
    }

    @Test("checks against real servers: pass, fail, time out, huge body, redirect loop, closed port")
    func checks() async throws {
        try await MonitorTargetServer.run { port in
            try await TestEnvironment.with(.sqlite) { environment in
                let app = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger)
                try await app.test(.router) { client in
                    let tokens = try await Self.tokens(environment)
                    func call(_ path: String, _ method: HTTPRequest.Method, _ body: String? = nil) async throws -> (HTTPResponse.Status, String) {
                        try await client.execute(uri: "/api/0/" + path, method: method,
                                                 headers: [.contentType: "application/json", .authorization: "Bearer \(tokens.admin)"],
                                                 body: body.map { ByteBuffer(string: $0) }) { ($0.status, String(buffer: $0.body)) }
                    }
                    let base = "http://127.0.0.1:\(port)"
                    // Interval of a day: only "run now" checks them here.
                    let monitors: [(String, String, String)] = [
                        ("ok", #""type":"http","url":"\#(base)/ok","keyword":"status""#, "up"),
                        ("json", #""type":"http","url":"\#(base)/ok","json_path":"$.checks[0].db","json_expected":"true""#, "up"),
                        ("json-wrong", #""type":"http","url":"\#(base)/ok","json_path":"$.status","json_expected":"degraded""#, "expected 'degraded'"),
                        ("keyword", #""type":"http","url":"\#(base)/ok","keyword":"banana""#, "does not contain the keyword"),
                        ("absent", #""type":"http","url":"\#(base)/ok","keyword":"status","keyword_absent":true"#, "must be absent"),
                        ("fail", #""type":"http","url":"\#(base)/fail""#, "status 500"),
                        ("accept-500", #""type":"http","url":"\#(base)/fail","expected_status":["500-599"]"#, "status 500 in"),
                        ("slow", #""type":"http","url":"\#(base)/slow","degraded_above_ms":100"#, "slow:"),
                        ("hang", #""type":"http","url":"\#(base)/hang","timeout_seconds":1"#, "timed out"),
                        ("big", #""type":"http","url":"\#(base)/big","timeout_seconds":5"#, "larger than"),
                        ("loop", #""type":"http","url":"\#(base)/loop""#, "redirect"),
                        ("no-follow", #""type":"http","url":"\#(base)/loop","follow_redirects":false,"expected_status":["302"]"#, "status 302"),
                        ("closed", #""type":"http","url":"http://127.0.0.1:9/""#, "refused"),
                        ("tcp-open", #""type":"tcp","host":"127.0.0.1","port":\#(port)"#, "connected"),
                        ("tcp-closed", #""type":"tcp","host":"127.0.0.1","port":9"#, "could not connect"),
                    ]
                    var ids: [String: String] = [:]
                    for (name, fields, _) in monitors {
                        let created = try await call("organizations/default/monitors/", .post, #"{"name":"\#(name)",\#(fields),"interval_seconds":86400}"#)
                        #expect(created.0 == .created, "\(name): \(created.1)")
                        ids[name] = Self.json(created.1)["id"] as? String
                    }
                    let started = ContinuousClock.now
                    let run = try await call("organizations/default/health/run", .post, #"{"monitors":[\#(monitors.map { "\"\(ids[$0.0]!)\"" }.joined(separator: ","))]}"#)
                    #expect(run.0 == .ok, "\(run.1)")
                    // Everything ran at once, and the hanging one was cut at its 1 s timeout.
                    #expect(ContinuousClock.now - started < .seconds(8))
                    let results = (try JSONSerialization.jsonObject(with: Data(run.1.utf8)) as? [[String: Any]]) ?? []
                    for (name, _, expected) in monitors {
                        let entry = results.first { $0["name"] as? String == name }
                        let result = entry?["result"] as? [String: Any]
                        let text = "\(result?["status"] ?? "") \(result?["message"] ?? "")"
                        #expect(text.contains(expected), "\(name): \(text)")
                    }
                    #expect(try await call("organizations/default/health/run", .post, #"{"monitors":["999999"]}"#).0 == .notFound)
                    let slow = Self.json(try await call("monitors/\(ids["slow"]!)/", .get).1)
                    #expect(slow["status"] as? String == "degraded")
                }
            }
        }
    }
}
