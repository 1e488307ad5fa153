import Foundation
import Logging
import SentryProtocol
import Synchronization
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Testing
@testable import TelltaleClient

/// A transport that answers from a script and keeps what it was sent.
final class ScriptedTransport: EnvelopeTransport {
    enum Answer: Sendable { case status(Int, retryAfter: String? = nil, limits: String? = nil), unreachable }
    struct Unreachable: Error {}
    private let state: Mutex<(script: [Answer], received: [[UInt8]], attempts: Int)>

    init(_ script: [Answer] = []) { state = Mutex((script, [], 0)) }

    func send(_ envelope: [UInt8], to url: String, auth: String) async throws -> TransportResponse {
        let answer = state.withLock { state -> Answer in
            state.attempts += 1
            let answer = state.script.isEmpty ? .status(200) : state.script.removeFirst()
            if case .status(let code, _, _) = answer, (200..<300).contains(code) { state.received.append(envelope) }
            return answer
        }
        switch answer {
        case .unreachable: throw Unreachable()
        case .status(let code, let retryAfter, let limits): return TransportResponse(status: code, retryAfter: retryAfter, rateLimits: limits)
        }
    }

    var attempts: Int { state.withLock { $0.attempts } }
    var accepted: [Envelope] { state.withLock { $0.received }.compactMap { try? Envelope.parse($0) } }
    /// The events the server accepted, as JSON.
    var events: [JSONValue] { accepted.compactMap { $0.items.first { $0.type == "event" } }.compactMap { try? JSONParser.parse(Array($0.payload)) } }
}

/// Sleeps that only record how long they were asked to wait, and a clock that moves by them.
final class RecordedSleeps: Sendable {
    private let waits = Mutex<[Duration]>([])
    let start = Date()
    var all: [Duration] { waits.withLock { $0 } }
    var sleep: @Sendable (Duration) async throws -> Void { { duration in self.waits.withLock { $0.append(duration) } } }
    var now: @Sendable () -> Date {
        { self.start.addingTimeInterval(self.waits.withLock { $0.reduce(0) { $0 + RetryPolicy.seconds($1) } }) }
    }
}

@Suite("Swift client delivery")
struct DeliveryTests {
    static func client(_ transport: ScriptedTransport, sleeps: RecordedSleeps = RecordedSleeps(), capacity: Int = 1_000, spool: URL? = nil,
                       policy: RetryPolicy = RetryPolicy(maxAttempts: 4, baseDelay: .seconds(1), jitter: 0)) throws -> TelltaleClient {
        TelltaleClient(options: try TelltaleOptions(dsn: "http://public@127.0.0.1:9/7", queueCapacity: capacity, spoolDirectory: spool),
                       transport: transport, retryPolicy: policy, now: sleeps.now, random: { 0 }, sleep: sleeps.sleep)
    }

    /// Runs the client's sender while `body` captures, then flushes and stops it.
    static func running(_ client: TelltaleClient, _ body: () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            try await body()
            #expect(await client.flush(timeout: .seconds(10)))
            client.continuation.finish()
            try await group.waitForAll()
        }
    }

    @Test("429 with rate limits and 503s are waited out and retried: nothing lost, the waits the server asked for")
    func backoff() async throws {
        let transport = ScriptedTransport([.status(429, limits: "3:error:key"), .status(503), .unreachable, .status(200)])
        let sleeps = RecordedSleeps()
        let client = try Self.client(transport, sleeps: sleeps)
        try await Self.running(client) {
            #expect(client.capture(message: "one") != nil)
            #expect(client.capture(message: "two") != nil)
        }
        #expect(transport.events.map { $0["message"]?["formatted"]?.stringValue } == ["one", "two"])
        #expect(transport.attempts == 5)
        // The rate limit's 3 s (and a millisecond), then backoff of 2 s and 4 s after the 2nd and 3rd attempts.
        let waits = sleeps.all
        #expect(waits.count == 3 && waits[0] > .seconds(2) && waits[0] <= .seconds(3) + .milliseconds(2) && waits[1] == .seconds(2) && waits[2] == .seconds(4), "\(waits)")
        #expect(client.unreportedDrops == nil)
    }

    @Test("over real HTTP: a local server answering 429 with X-Sentry-Rate-Limits, then 503, then 200 gets every event once, and the dropped ones as a client report")
    func realServer() async throws {
        let answers = Mutex<[HTTPResponse.Status]>([.tooManyRequests, .serviceUnavailable])
        let bodies = Mutex<[String]>([])
        let router = Router()
        router.post("api/7/envelope/") { request, _ -> Response in
            let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
            let status = answers.withLock { $0.isEmpty ? .ok : $0.removeFirst() }
            if status == .ok { bodies.withLock { $0.append(body) } }
            var headers: HTTPFields = [:]
            if status == .tooManyRequests { headers[HTTPField.Name("X-Sentry-Rate-Limits")!] = "2:error:key"; headers[.retryAfter] = "2" }
            return Response(status: status, headers: headers)
        }
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { http in
            let port = try #require(http.port)
            let sleeps = RecordedSleeps()
            let client = TelltaleClient(options: try TelltaleOptions(dsn: "http://public@127.0.0.1:\(port)/7", sampleRate: 1, queueCapacity: 2),
                                        retryPolicy: RetryPolicy(maxAttempts: 4, baseDelay: .seconds(1), jitter: 0), now: sleeps.now, random: { 0 }, sleep: sleeps.sleep)
            // Captured before the sender starts: the queue holds two, the third is dropped and counted.
            #expect(client.capture(message: "one") != nil)
            #expect(client.capture(message: "two") != nil)
            #expect(client.capture(message: "three") == nil)
            try await Self.running(client) {}
            let received = bodies.withLock { $0 }
            #expect(received.filter { $0.contains("\"one\"") }.count == 1 && received.filter { $0.contains("\"two\"") }.count == 1, "\(received)")
            #expect(received.contains { $0.contains("client_report") && $0.contains("queue_overflow") })
            // The rate limit's 2 s was waited out, then backoff after the 503.
            #expect(sleeps.all.count == 2 && sleeps.all[0] > .seconds(1) && sleeps.all[1] == .seconds(2), "\(sleeps.all)")
        }
    }

    @Test("what cannot be sent or queued is counted and reported as a client report with the next envelope")
    func clientReports() async throws {
        let transport = ScriptedTransport([.unreachable, .unreachable, .status(400)])
        let client = try Self.client(transport, capacity: 2, policy: RetryPolicy(maxAttempts: 2, jitter: 0))
        // Queue of two: the third capture before the sender runs overflows.
        #expect(client.capture(message: "a") != nil && client.capture(message: "b") != nil && client.capture(message: "c") == nil)
        try await Self.running(client) {
            for _ in 0..<1_000 where transport.attempts < 3 { try await Task.sleep(for: .milliseconds(2)) }
            try await Task.sleep(for: .milliseconds(20))
            #expect(transport.events.isEmpty)  // a: unreachable twice; b: refused (400)
            let report = try #require(client.unreportedDrops)
            let counts = Dictionary(uniqueKeysWithValues: (report["discarded_events"]?.arrayValue ?? []).map { ($0["reason"]?.stringValue ?? "", $0["quantity"]) })
            #expect(counts == ["queue_overflow": .int(1), "network_error": .int(1), "send_error": .int(1)], "\(report)")
            client.capture(message: "d")
        }
        let sent = try #require(transport.accepted.last)
        let reportItem = try #require(sent.items.first { $0.type == "client_report" })
        #expect((try JSONParser.parse(Array(reportItem.payload)))["discarded_events"]?.arrayValue?.count == 3)
        // After shutdown nothing is taken, and that too is counted.
        #expect(client.capture(message: "late") == nil && client.unreportedDrops != nil)
    }

    @Test("scopes do not leak across 1,000 concurrent tasks")
    func scopes() async throws {
        let transport = ScriptedTransport()
        let client = try Self.client(transport, capacity: 2_000)
        try await Self.running(client) {
            await withTaskGroup(of: Void.self) { group in
                for i in 0..<1_000 {
                    group.addTask {
                        await Telltale.withScope({ $0 = Scope(); $0.tags["request"] = "\(i)" }) {
                            Telltale.addBreadcrumb(Breadcrumb("step of \(i)"))
                            await Task.yield()
                            client.capture(message: "request \(i)")
                        }
                    }
                }
            }
        }
        let events = transport.events
        #expect(events.count == 1_000)
        for event in events {
            let index = event["message"]?["formatted"]?.stringValue?.split(separator: " ").last.map(String.init)
            let crumbs = event["breadcrumbs"]?["values"]?.arrayValue ?? []
            #expect(event["tags"]?["request"]?.stringValue == index && crumbs.count == 1 && crumbs[0]["message"]?.stringValue == "step of \(index ?? "")")
        }
        #expect(Telltale.scope.tags["request"] == nil)
    }

    @Test("with a spool, events captured before a crash are sent by the next start")
    func spool() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-spool-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        // The first process captures three events and dies before sending anything.
        let crashed = try Self.client(ScriptedTransport([.unreachable]), spool: directory)
        for i in 1...3 { crashed.capture(message: "before the crash \(i)") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).count == 3)
        let transport = ScriptedTransport()
        let restarted = try Self.client(transport, spool: directory)
        try await Self.running(restarted) {
            restarted.capture(message: "after the restart")
            // The leftovers go first; wait until they have.
            for _ in 0..<500 where transport.events.count < 4 { try await Task.sleep(for: .milliseconds(2)) }
        }
        #expect(Set(transport.events.compactMap { $0["message"]?["formatted"]?.stringValue })
                == ["before the crash 1", "before the crash 2", "before the crash 3", "after the restart"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test("the log handler turns errors into events with metadata and lower levels into breadcrumbs")
    func logging() async throws {
        let transport = ScriptedTransport()
        let client = try Self.client(transport)
        try await Self.running(client) {
            await Telltale.withScope({ $0 = Scope() }) {
                var logger = Logger(label: "shop") { TelltaleLogHandler(label: $0, client: client) }
                logger[metadataKey: "request_id"] = "r-7"
                logger.info("cart loaded", metadata: ["items": "3"])
                logger.error("payment failed", metadata: ["provider": "acme", "password": "hunter2"])
            }
        }
        let event = try #require(transport.events.first)
        #expect(event["message"]?["formatted"]?.stringValue == "payment failed" && event["level"]?.stringValue == "error")
        #expect(event["tags"]?["provider"]?.stringValue == "acme" && event["tags"]?["request_id"]?.stringValue == "r-7"
                && event["tags"]?["password"]?.stringValue == "[Filtered]" && event["tags"]?["logger"]?.stringValue == "shop")
        #expect(event["breadcrumbs"]?["values"]?.arrayValue?.first?["message"]?.stringValue == "cart loaded")
    }

    @Test("retry waits with backoff and rethrows the last error; the breaker reports opening and closing with one fingerprint")
    func resilience() async throws {
        try await Telltale.withScope({ $0 = Scope() }) { try await resilienceInScope() }
    }

    func resilienceInScope() async throws {
        let sleeps = RecordedSleeps()
        let calls = Mutex(0)
        struct Flaky: Error {}
        let value = try await retry(policy: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(100), jitter: 0), random: { 0 }, sleep: sleeps.sleep) {
            let n = calls.withLock { $0 += 1; return $0 }
            if n < 3 { throw Flaky() }
            return n
        }
        #expect(value == 3 && sleeps.all == [.milliseconds(100), .milliseconds(200)])

        let transport = ScriptedTransport()
        let client = try Self.client(transport)
        let clock = Mutex(Date(timeIntervalSince1970: 0))
        let breaker = CircuitBreaker(name: "payments", failureThreshold: 2, resetTimeout: 10, client: client, now: { clock.withLock { $0 } })
        try await Self.running(client) {
            for _ in 0..<2 { _ = try? await breaker.run { () async throws -> Int in throw Flaky() } }
            await #expect(throws: CircuitBreaker.OpenError.self) { try await breaker.run { 1 } }
            clock.withLock { $0 = $0.addingTimeInterval(10) }
            let afterReset = try await breaker.run { 2 }
            #expect(afterReset == 2)
        }
        let events = transport.events
        #expect(events.map { $0["tags"]?["circuit_state"]?.stringValue } == ["open", "closed"])
        #expect(events.allSatisfy { $0["fingerprint"] == .array([.string("circuit-breaker"), .string("payments")]) })
    }
}

@Suite("Swift client check-ins")
struct CheckInTests {
    struct JobFailed: Error {}

    @Test("withMonitor opens a run with its schedule and closes it ok, or error when the job throws, with one id and a duration")
    func monitor() async throws {
        let transport = ScriptedTransport()
        let client = try DeliveryTests.client(transport)
        try await DeliveryTests.running(client) {
            let value = try await client.withMonitor(slug: "nightly-report", schedule: .crontab("0 3 * * *")) { 42 }
            #expect(value == 42)
            await #expect(throws: JobFailed.self) { try await client.withMonitor(slug: "sync", schedule: .interval(10, unit: "minute")) { throw JobFailed() } }
        }
        let checkIns = transport.accepted.compactMap { $0.items.first { $0.type == "check_in" } }.compactMap { try? JSONParser.parse(Array($0.payload)) }
        #expect(checkIns.map { $0["status"]?.stringValue } == ["in_progress", "ok", "in_progress", "error"])
        #expect(checkIns[0]["check_in_id"] == checkIns[1]["check_in_id"] && checkIns[2]["check_in_id"] == checkIns[3]["check_in_id"])
        #expect(checkIns[0]["monitor_config"]?["schedule"] == .object(["type": .string("crontab"), "value": .string("0 3 * * *")]))
        #expect(checkIns[2]["monitor_config"]?["schedule"]?["unit"]?.stringValue == "minute" && checkIns[1]["monitor_config"] == nil)
        #expect(checkIns[1]["duration"]?.doubleValue.map { $0 >= 0 } == true && checkIns[3]["monitor_slug"]?.stringValue == "sync")
    }
}
