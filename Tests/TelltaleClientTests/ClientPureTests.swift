import Foundation
import SentryProtocol
import Testing
@testable import TelltaleClient

/// The client's pure parts: backoff delays, the circuit breaker, rate limits, breadcrumbs and
/// how captured errors become events (options, scope, scrubbing).
@Suite("Swift client (pure)")
struct ClientPureTests {
    @Test("backoff doubles from the base up to the cap; jitter takes off up to its share")
    func backoff() {
        let policy = RetryPolicy(maxAttempts: 6, baseDelay: .seconds(1), multiplier: 2, maxDelay: .seconds(5), jitter: 0.5)
        #expect((1...5).map { policy.delay(afterAttempt: $0, random: 0) } == [.seconds(1), .seconds(2), .seconds(4), .seconds(5), .seconds(5)])
        #expect(policy.delay(afterAttempt: 2, random: 1) == .seconds(1) && policy.delay(afterAttempt: 3, random: 0.5) == .seconds(3))
    }

    @Test("the breaker opens after the threshold, refuses until the timeout, lets one trial through, and closes on its success or reopens on its failure")
    func breaker() {
        var state = CircuitBreakerState(failureThreshold: 3, resetTimeout: 30)
        let t0 = Date(timeIntervalSince1970: 1_000)
        #expect(state.recordFailure(now: t0) == nil && state.recordFailure(now: t0) == nil)
        #expect(state.recordSuccess() == nil && state.consecutiveFailures == 0)
        for _ in 0..<2 { _ = state.recordFailure(now: t0) }
        #expect(state.recordFailure(now: t0) == .opened(failures: 3) && state.phase == .open)
        #expect(state.allow(now: t0.addingTimeInterval(29)).allowed == false)
        let trial = state.allow(now: t0.addingTimeInterval(30))
        #expect(trial.allowed && trial.transition == .halfOpened && state.phase == .halfOpen)
        #expect(state.allow(now: t0.addingTimeInterval(31)).allowed == false)  // one trial at a time
        #expect(state.recordFailure(now: t0.addingTimeInterval(32)) == .opened(failures: 4) && state.phase == .open)
        #expect(state.allow(now: t0.addingTimeInterval(61)).allowed == false)
        #expect(state.allow(now: t0.addingTimeInterval(62)).allowed)
        #expect(state.recordSuccess() == .closed && state.phase == .closed)
    }

    @Test("rate limits per category from X-Sentry-Rate-Limits; a bare 429 holds everything for its Retry-After")
    func rateLimits() {
        let now = Date(timeIntervalSince1970: 1_000)
        var limits = RateLimitState()
        limits.update(status: 429, rateLimits: "60:transaction:key, 2.5:error;default:organization:quota", retryAfter: nil, now: now)
        #expect(limits.blocked("error", now: now) == now.addingTimeInterval(3) && limits.blocked("transaction", now: now) == now.addingTimeInterval(60))
        #expect(limits.blocked("session", now: now) == nil && limits.blocked("error", now: now.addingTimeInterval(3)) == nil)
        var bare = RateLimitState()
        bare.update(status: 429, rateLimits: nil, retryAfter: "7", now: now)
        #expect(bare.blocked("anything", now: now) == now.addingTimeInterval(7))
        var ok = RateLimitState()
        ok.update(status: 200, rateLimits: nil, retryAfter: nil, now: now)
        #expect(ok == RateLimitState())
    }

    @Test("breadcrumbs keep the last N in order")
    func ring() {
        var ring = BreadcrumbRing(capacity: 3)
        for i in 1...5 { ring.append(Breadcrumb("b\(i)")) }
        #expect(ring.all.map(\.message) == ["b3", "b4", "b5"])
    }

    enum PaymentError: Error { case declined(code: Int) }

    @Test("an error with options: type, message and call site; severity as level and tag; impact, component, endpoint, revenue; scope; secrets filtered")
    func event() throws {
        let options = try TelltaleOptions(dsn: "http://key@127.0.0.1:9/1", environment: "production", release: "shop@2.0")
        var scope = Scope()
        scope.tags = ["region": "eu", "api_token": "tok_live_123"]
        scope.user = Scope.User(id: "42")
        scope.addBreadcrumb(Breadcrumb("GET /cart", category: "http"))
        let event = EventBuilder(options: options).error(
            PaymentError.declined(code: 51), scope: scope,
            options: [.severity(.high), .category(.payment), .component("checkout"), .endpoint("/v1/pay"), .businessImpact(.revenueBlocking),
                      .revenueImpact(500), .context("order", ["id": .string("o-1"), "password": .string("hunter2")]), .fingerprint(["card"])],
            at: .init(file: "Shop/Pay.swift", function: "pay()", line: 12), id: "abc", now: Date(timeIntervalSince1970: 5))
        let exception = try #require(event["exception"]?["values"]?.arrayValue?.first)
        #expect(exception["type"]?.stringValue == "ClientPureTests.PaymentError" && exception["value"]?.stringValue == "declined(code: 51)")
        #expect(exception["stacktrace"]?["frames"]?.arrayValue?.first?["lineno"] == .int(12))
        #expect(event["level"]?.stringValue == "error" && event["environment"]?.stringValue == "production" && event["transaction"]?.stringValue == "/v1/pay")
        let tags = try #require(event["tags"]?.objectValue)
        #expect(tags["severity"] == .string("high") && tags["category"] == .string("payment") && tags["component"] == .string("checkout")
                && tags["business_impact"] == .string("revenue_blocking") && tags["region"] == .string("eu") && tags["api_token"] == .string("[Filtered]"))
        #expect(event["contexts"]?["business"]?["revenue_impact"] == .double(500) && event["contexts"]?["order"]?["password"] == .string("[Filtered]"))
        #expect(event["fingerprint"] == .array([.string("card")]) && event["user"]?["id"] == .string("42"))
        #expect(event["breadcrumbs"]?["values"]?.arrayValue?.count == 1)
    }
}

@Suite("Swift client ids")
struct ClientIDTests {
    @Test("event and span ids are lower-case hex of the right length and never repeat")
    func ids() {
        let events = (0..<20_000).map { _ in TelltaleClient.eventID() }
        #expect(Set(events).count == events.count)
        #expect(events.allSatisfy { $0.utf8.count == 32 && $0.allSatisfy { "0123456789abcdef".contains($0) } })
        let spans = (0..<20_000).map { _ in TelltaleClient.spanID() }
        #expect(Set(spans).count == spans.count && spans.allSatisfy { $0.utf8.count == 16 })
    }
}
