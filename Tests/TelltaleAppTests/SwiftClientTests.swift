import Foundation
#if canImport(Glibc)
import Glibc
#endif
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing
import TelltaleApp
import TelltaleClient
import TelltaleCore
import TelltaleTestSupport

/// The Swift client against a real Telltale: what it captures is accepted over HTTP and shows
/// up with its context (severity, category, component, business impact, revenue, scope).
extension IssuesAPITests {
    enum CheckoutError: Error { case gatewayTimeout(seconds: Int) }

    @Test("the Swift client's events reach a running Telltale with their options and scope", arguments: TestDatabase.allCases)
    func swiftClient(database: TestDatabase) async throws {
        try await withLiveTelltale(database) { live, environment, t, dsn in
            let client = TelltaleClient(options: try TelltaleOptions(dsn: dsn, environment: "production", release: "shop@3.1"))
            await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await client.run() }
                await Telltale.withScope({ $0 = Scope(); $0.tags["region"] = "eu"; $0.user = Scope.User(id: "customer-9") }) {
                    Telltale.addBreadcrumb(Breadcrumb("POST /checkout", category: "http"))
                    client.capture(CheckoutError.gatewayTimeout(seconds: 30), .severity(.critical), .category(.payment), .component("checkout"),
                                   .businessImpact(.revenueBlocking), .revenueImpact(250), .endpoint("/v1/checkout"))
                    client.capture(message: "inventory sync slow", level: .warning, .component("inventory"))
                }
                // A scheduled job's run: the check-ins create its monitor.
                _ = try? await client.withMonitor(slug: "nightly-report", schedule: .crontab("0 3 * * *")) { 1 }
                #expect(await client.flush(timeout: .seconds(15)))
                group.cancelAll()
            }
            var issues: [[String: Any]] = []
            for _ in 0..<100 where issues.count < 2 {
                issues = try await live.execute(uri: "/api/0/projects/default/default/issues/", method: .get, headers: t.viewer) {
                    (try? JSONSerialization.jsonObject(with: Data(String(buffer: $0.body).utf8))) as? [[String: Any]] ?? []
                }
                if issues.count < 2 { try await Task.sleep(for: .milliseconds(50)) }
            }
            let checkout = try #require(issues.first { ($0["title"] as? String)?.contains("gatewayTimeout") == true }, "\(issues)")
            #expect(checkout["severity"] as? String == "critical" && checkout["category"] as? String == "payment"
                    && checkout["business_impact"] as? String == "revenue_blocking", "\(checkout)")
            let id = try #require(checkout["id"] as? String)
            let event = try await live.execute(uri: "/api/0/issues/\(id)/events/latest/", method: .get, headers: t.viewer) {
                (try? JSONSerialization.jsonObject(with: Data(String(buffer: $0.body).utf8))) as? [String: Any] ?? [:]
            }
            let tags = event["tags"] as? [String: String] ?? [:]
            #expect(tags["component"] == "checkout" && tags["region"] == "eu" && tags["severity"] == "critical", "\(event)")
            #expect(event["environment"] as? String == "production" && event["release"] as? String == "shop@3.1")
            #expect(((event["contexts"] as? [String: Any])?["business"] as? [String: Any])?["revenue_impact"] as? Double == 250)
            #expect(((event["user"] as? [String: Any])?["id"] as? String) == "customer-9", "\(event)")
            let crumbs = ((event["breadcrumbs"] as? [String: Any])?["values"] as? [[String: Any]]) ?? []
            #expect(crumbs.first?["message"] as? String == "POST /checkout")
            #expect(issues.contains { ($0["title"] as? String) == "inventory sync slow" }, "\(issues)")
            let manager = try await managerToken(environment)
            var monitors: [[String: Any]] = []
            for _ in 0..<100 where !monitors.contains(where: { ($0["slug"] as? String) == "nightly-report" }) {
                monitors = try await live.execute(uri: "/api/0/organizations/default/monitors/", method: .get, headers: manager) {
                    (try? JSONSerialization.jsonObject(with: Data(String(buffer: $0.body).utf8))) as? [[String: Any]] ?? []
                }
                if !monitors.contains(where: { ($0["slug"] as? String) == "nightly-report" }) { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(monitors.contains { ($0["slug"] as? String) == "nightly-report" }, "\(monitors)")
        }
}

struct PaymentsDown: Error {}

@Test("a circuit breaker's issue resolves itself when the breaker closes and reopens as a regression when it opens again",
      arguments: TestDatabase.allCases)
func breakerResolvesItself(database: TestDatabase) async throws {
        try await withLiveTelltale(database) { live, _, t, dsn in
            let client = TelltaleClient(options: try TelltaleOptions(dsn: dsn, release: "shop@3.1"))
            let clock = TestClock(Date(timeIntervalSince1970: 1_800_000_000))
            let breaker = CircuitBreaker(name: "payments", failureThreshold: 2, resetTimeout: 30, client: client, now: { clock.now })
            func breakerIssue() async throws -> [String: Any]? {
                let issues = try await live.execute(uri: "/api/0/projects/default/default/issues/?query=circuit_breaker:payments", method: .get, headers: t.viewer) {
                    (try? JSONSerialization.jsonObject(with: Data(String(buffer: $0.body).utf8))) as? [[String: Any]] ?? []
                }
                return issues.first { ($0["title"] as? String)?.contains("Circuit breaker payments") == true }
            }
            func waitFor(status: String) async throws -> [String: Any]? {
                var issue: [String: Any]?
                for _ in 0..<200 {
                    issue = try await breakerIssue()
                    if issue?["status"] as? String == status { break }
                    try await Task.sleep(for: .milliseconds(25))
                }
                return issue
            }
            func fail() async { _ = try? await breaker.run { () async throws -> Int in throw PaymentsDown() } }
            await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await client.run() }
                await fail()
                await fail()  // opens: an error event
                #expect(await client.flush(timeout: .seconds(15)))
                let opened = try? await waitFor(status: "new")
                #expect(opened?["status"] as? String == "new", "\(String(describing: opened))")
                clock.advance(31)
                _ = try? await breaker.run { 1 }  // half-open trial succeeds: closes, an event that resolves the issue
                #expect(await client.flush(timeout: .seconds(15)))
                let resolved = try? await waitFor(status: "resolved")
                #expect(resolved?["status"] as? String == "resolved", "\(String(describing: resolved))")
                await fail()
                await fail()  // opens again: the same issue comes back
                #expect(await client.flush(timeout: .seconds(15)))
                var reopened: [String: Any]?
                for _ in 0..<200 {
                    reopened = try? await breakerIssue()
                    if let status = reopened?["status"] as? String, status != "resolved" { break }
                    try? await Task.sleep(for: .milliseconds(25))
                }
                #expect(reopened?["status"] as? String == "recurring", "\(String(describing: reopened))")
                #expect(reopened?["id"] as? String == opened?["id"] as? String)
                group.cancelAll()
            }
        }
}

/// A Telltale on a real port, with the test tokens and the default project's DSN.
func withLiveTelltale(_ database: TestDatabase,
                      _ body: @escaping @Sendable (any TestClientProtocol, TestEnvironment, Tokens, String) async throws -> Void) async throws {
    try await TestEnvironment.with(database) { environment in
        let app = try await buildApplication(reader: environment.reader(["http.port": String(Self.freePort())]), logger: TestDatabase.logger)
        try await app.test(.live) { live in
            let t = try await setUp(environment)
            let port = try #require(live.port)
            let projectID = try await environment.withAccounts { _, repositories in
                try #require(try await repositories.projects.projects(organizationID: nil).first).id
            }
            try await body(live, environment, t, "http://\(t.key)@127.0.0.1:\(port)/\(projectID)")
        }
        }
    }

    /// A port nothing listens on now (the kernel's pick for a socket bound to port 0).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A clock the test moves by hand.
final class TestClock: Sendable {
    let date: Mutex<Date>
    init(_ start: Date) { date = Mutex(start) }
    var now: Date { date.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { date.withLock { $0 += seconds } }
}
