import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import TelltaleAnalysis
import TelltaleApp
import TelltaleCore
import TelltaleTestSupport

/// A local stand-in for an LLM API: answers OpenAI chat completions and Anthropic messages with
/// a fixed analysis (or garbage, or slowly), and keeps every prompt it was sent.
actor LLMStandIn {
    enum Mode: Sendable { case answer, garbage, slow }

    private(set) var prompts: [String] = []
    private(set) var headers: [[String: String]] = []
    var mode = Mode.answer

    func set(_ mode: Mode) { self.mode = mode }

    func record(_ body: String, _ fields: [String: String]) -> Mode {
        prompts.append(body)
        headers.append(fields)
        return mode
    }

    static let answer = #"{\"root_cause\": \"The connection pool is exhausted by the checkout worker\", \"impact\": \"checkouts fail\", \"suggested_fix\": \"Return connections to the pool\", \"prevention\": \"Alert on pool usage\", \"severity\": 4, \"evidence\": [\"pool errors\"]}"#

    nonisolated func run(_ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        let router = Router()
        router.post("**") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            var fields: [String: String] = [:]
            for field in request.headers { fields[field.name.canonicalName] = field.value }
            let mode = await self.record(String(buffer: buffer), fields)
            if mode == .slow { try await Task.sleep(for: .seconds(3)) }
            let text = mode == .garbage ? "I cannot help with that." : Self.answer
            let json = request.uri.path.hasSuffix("/messages")
                ? #"{"content": [{"type": "text", "text": "\#(text)"}]}"#
                : #"{"choices": [{"message": {"role": "assistant", "content": "\#(text)"}}]}"#
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in try await body(client.port ?? 0) }
    }
}

extension IssuesAPITests {
    static func detect(_ environment: TestEnvironment, patterns: Bool = true) async throws -> DetectorPass.Report {
        try await environment.withAccounts { _, repositories in try await DetectorPass(repositories: repositories).run(now: Date(), patterns: patterns) }
    }

    @Test("spikes, frequency escalation, patterns and correlations come from the detector pass and the counts; the API shows them to viewers of the organization only",
          arguments: TestDatabase.allCases)
    func detectors(database: TestDatabase) async throws {
        try await TestEnvironment.with(database) { environment in
            // The test runs each pass itself: the server's own pass (first after 60 s) would,
            // in a run slowed past that, escalate the issue before the test's pass counts it.
            let app = try await buildApplication(reader: environment.reader(["analysis.detector_interval_seconds": "3600"]), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                let t = try await setUp(environment)
                let ruleBody = #"{"name": "Database connections", "conditions": [{"type": "exception_type", "pattern": "OperationalError"}, {"type": "frequency", "count": 3, "minutes": 5}], "severity": "critical"}"#
                let manager = try await environment.withAccounts { accounts, repositories in
                    let user = try #require(try await repositories.users.user(email: "manager@example.com"))
                    return HTTPFields([HTTPField(name: .authorization, value: "Bearer " + (try await accounts.issueToken(userID: user.id, name: "p", scopes: [.projectWrite, .projectRead]).secret))])
                }
                let rule = try await call(client, .post, "organizations/default/classification-rules/", ruleBody, auth: manager)
                #expect(rule.status == .created, "\(rule.body)")
                // Alert rules on what the detectors find.
                let channel = try await call(client, .post, "organizations/default/channels/",
                                             #"{"type": "webhook", "name": "Nowhere", "config": {"url": "http://127.0.0.1:9/hook"}}"#, auth: manager)
                let channelID = try #require(channel.object["id"] as? String, "\(channel.body)")
                for condition in [#"{"type": "spike_detected", "scope": "issue"}"#, #"{"type": "pattern_detected"}"#] {
                    let alertRule = try await call(client, .post, "organizations/default/alert-rules/",
                                                   #"{"name": "Detections", "conditions": [\#(condition)], "actions": [{"type": "notify", "channels": ["\#(channelID)"]}]}"#, auth: manager)
                    #expect(alertRule.status == .created, "\(alertRule.body)")
                }

                // One database error: high (the built-in rule); three in five minutes: critical.
                try await send(client, t.key, [#"{"error_type": "OperationalError", "message": "could not connect to server", "user_id": "u1", "trace_id": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}"#])
                func issue(_ prefix: String) async throws -> [String: Any] {
                    let issues = try await call(client, .get, "projects/default/default/issues/?query=", auth: t.viewer).list
                    return try #require(issues.first { ($0["title"] as? String)?.hasPrefix(prefix) == true }, "\(prefix) in \(issues)")
                }
                #expect(try await issue("OperationalError")["severity"] as? String == "high")
                var report = try await Self.detect(environment, patterns: false)
                #expect(report.escalated == 0)
                try await send(client, t.key, (2...30).map { n in
                    #"{"error_type": "OperationalError", "message": "could not connect to server", "user_id": "u\#(n % 4)", "trace_id": "\#(String(repeating: "ab", count: 16).prefix(30))\#(String(format: "%02d", n))"}"#
                })
                // A second error sharing the users and traces, and two with one message shape.
                try await send(client, t.key, (1...12).map { n in
                    #"{"error_type": "TimeoutError", "message": "checkout timed out", "user_id": "u\#(n % 4)", "trace_id": "\#(String(repeating: "ab", count: 16).prefix(30))\#(String(format: "%02d", n + 1))", "stack_trace": "Traceback (most recent call last):\n  File \"shop/checkout.py\", line 9, in pay\n    x()\n"}"#
                } + [#"{"error_type": "KeyError", "message": "missing key 'sku' in cart 41", "fingerprint": ["a"]}"#,
                     #"{"error_type": "KeyError", "message": "missing key 'qty' in cart 97", "fingerprint": ["b"]}"#])
                report = try await Self.detect(environment)
                #expect(report.escalated == 1 && report.spikesOpened >= 2 && report.patterns >= 1, "\(report)")
                let database = try await issue("OperationalError")
                #expect(database["severity"] as? String == "critical" && database["classified_by"] as? String == "rule:\(rule.object["id"] as? String ?? "")", "\(database)")
                // Idempotent: a second pass opens nothing new.
                #expect(try await Self.detect(environment).spikesOpened == 0)
                // The detections reach alert rules: one alert per new issue spike and per new pattern.
                try await AlertingAPITests.evaluateAndDeliver(environment)
                let history = try await call(client, .get, "organizations/default/alerts/", auth: manager)
                let alerts = try #require(history.object["alerts"] as? [[String: Any]], "\(history.body)")
                let titles = alerts.compactMap { $0["title"] as? String }
                #expect(titles.contains { $0.hasPrefix("Spike: OperationalError") } && titles.contains { $0.hasPrefix("Pattern: Message") }, "\(titles)")
                #expect(!titles.contains { $0.hasPrefix("Spike in") }, "a project spike is not an issue spike: \(titles)")

                let spikes = try await call(client, .get, "organizations/default/spikes/?project=default", auth: t.viewer)
                #expect(spikes.status == .ok, "\(spikes.body)")
                let databaseID = try #require(database["id"] as? String)
                #expect(spikes.list.contains { $0["scope"] as? String == "project" && ($0["events"] as? Int ?? 0) >= 30 }, "\(spikes.body)")
                #expect(spikes.list.contains { $0["scope"] as? String == "issue" && $0["issue"] as? String == databaseID && ($0["peak"] as? Int ?? 0) >= 5 })
                #expect(try await call(client, .get, "organizations/default/spikes/?project=nope", auth: t.viewer).status == .badRequest)
                #expect(try await call(client, .get, "organizations/default/spikes/", auth: t.outsider).status == .notFound)

                let patterns = try await call(client, .get, "organizations/default/patterns/", auth: t.viewer)
                let shape = try #require(patterns.list.first { $0["kind"] as? String == "message" }, "\(patterns.body)")
                #expect(shape["key"] as? String == "KeyError: missing key <s> in cart <n>" && (shape["issues"] as? [String])?.count == 2, "\(shape)")

                // Correlation: the timeout shares users and traces with the database error.
                let correlated = try await call(client, .post, "issues/\(databaseID)/correlate", auth: t.viewer)
                #expect(correlated.status == .ok, "\(correlated.body)")
                let timeout = try #require(correlated.object["related"] as? [[String: Any]]).first { ($0["title"] as? String)?.hasPrefix("TimeoutError") == true }
                let types = Set(timeout?["types"] as? [String] ?? [])
                #expect(types.isSuperset(of: ["user", "trace"]), "\(correlated.body)")
                #expect((timeout?["confidence"] as? Double ?? 0) > 0.5)
                let impact = try #require(correlated.object["impact"] as? [String: Any])
                #expect((impact["related_issues"] as? Int ?? 0) >= 1 && impact["highest_severity"] as? String == "critical", "\(impact)")
                #expect(try await call(client, .post, "issues/\(databaseID)/correlate", auth: t.outsider).status == .notFound)
                #expect(try await call(client, .post, "monitors/999999/correlate", auth: t.viewer).status == .notFound)
            }
        }
    }

    @Test("root-cause analysis: offline by default, by an OpenAI- or Anthropic-style API when configured, with nothing personal in the prompt, and the offline answer when the model fails",
          arguments: TestDatabase.allCases)
    func rootCause(database: TestDatabase) async throws {
        let model = LLMStandIn()
        try await model.run { port in
            try await TestEnvironment.with(database) { environment in
                for api in ["openai", "anthropic"] {
                    let settings = ["analysis.llm_api": api, "analysis.llm_url": "http://127.0.0.1:\(port)/v1", "analysis.llm_model": "test-model",
                                    "analysis.llm_key": "sk-test-secret", "analysis.llm_timeout_seconds": "1"]
                    let app = try await buildApplication(reader: environment.reader(settings), logger: TestDatabase.logger)
                    try await app.test(.router) { client in
                        let t = api == "openai" ? try await setUp(environment) : try await Self.existingTokens(environment)
                        if api == "openai" {
                            try await send(client, t.key, [#"{"error_type": "OperationalError", "message": "could not connect to server: Connection refused for alice@example.com", "user_id": "alice", "tags": {"environment": "production"}, "stack_trace": "Traceback (most recent call last):\n  File \"shop/db.py\", line 42, in get_orders\n    connect()\n"}"#])
                        }
                        let issues = try await call(client, .get, "projects/default/default/issues/?query=", auth: t.viewer).list
                        let id = try #require(issues.first?["id"] as? String)
                        let path = "issues/\(id)/analysis"
                        if api == "openai" {
                            #expect(try await call(client, .get, path, auth: t.viewer).status == .notFound)
                            #expect(try await call(client, .post, path, #"{"provider": "offline"}"#, auth: t.viewer).status == .forbidden)
                            #expect(try await call(client, .post, path, #"{"provider": "oracle"}"#, auth: t.member).status == .badRequest)
                            let offline = try await call(client, .post, path, #"{"provider": "offline"}"#, auth: t.member)
                            #expect(offline.status == .created, "\(offline.body)")
                            #expect(offline.object["signature"] as? String == "database_connection" && offline.object["provider"] as? String == "offline")
                            #expect((offline.object["root_cause"] as? String)?.contains("shop/db.py:42 in get_orders") == true, "\(offline.body)")
                        }
                        await model.set(.answer)
                        let asked = try await call(client, .post, path, #"{"provider": "llm"}"#, auth: t.member)
                        #expect(asked.status == .created && asked.object["provider"] as? String == "llm" && asked.object["model"] as? String == "test-model", "\(asked.body)")
                        #expect(asked.object["root_cause"] as? String == "The connection pool is exhausted by the checkout worker" && asked.object["severity"] as? Int == 4)
                        let stored = try await call(client, .get, path, auth: t.viewer)
                        #expect(stored.object["provider"] as? String == "llm" && stored.object["root_cause"] as? String == asked.object["root_cause"] as? String)
                        let prompt = try #require(await model.prompts.last)
                        for personal in ["alice", "example.com"] { #expect(!prompt.contains(personal), "\(personal) was sent: \(prompt)") }
                        #expect(prompt.contains("db.py") && prompt.contains("environment=production"), "\(prompt)")
                        let headers = try #require(await model.headers.last)
                        #expect(api == "openai" ? headers["authorization"] == "Bearer sk-test-secret" : headers["x-api-key"] == "sk-test-secret", "\(headers)")
                        // Garbage and timeouts fall back to the offline analysis, with a note.
                        for mode in [LLMStandIn.Mode.garbage, .slow] {
                            await model.set(mode)
                            let fallback = try await call(client, .post, path, #"{"provider": "llm"}"#, auth: t.member)
                            #expect(fallback.status == .created && fallback.object["provider"] as? String == "offline", "\(fallback.body)")
                            #expect((fallback.object["note"] as? String)?.contains("test-model") == true && fallback.object["signature"] as? String == "database_connection")
                        }
                    }
                }
            }
        }
    }

    /// The tokens `setUp` made, read back for a second server on the same database.
    static func existingTokens(_ environment: TestEnvironment) async throws -> Tokens {
        try await environment.withAccounts { accounts, repositories in
            func token(_ email: String) async throws -> HTTPFields {
                let user = try #require(try await repositories.users.user(email: email))
                return [.authorization: "Bearer \(try await accounts.issueToken(userID: user.id, name: "again", scopes: [.eventRead, .eventWrite, .eventAdmin]).secret)"]
            }
            return Tokens(key: "", member: try await token("member@example.com"), viewer: try await token("viewer@example.com"),
                          admin: try await token("manager@example.com"), outsider: [:])
        }
    }
}
