import Foundation
import SentryProtocol
import TelltaleCore
import Testing

@Suite struct PerformanceTests {
    /// Nearest-rank quantile of sorted values, as the sketch defines it.
    func exact(_ sorted: [Double], _ q: Double) -> Double {
        sorted[max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1)]
    }

    @Test func sketchQuantilesAreWithinOnePercentOfExactOnRandomData() {
        var generator = SystemRandomNumberGenerator()
        for distribution in 0..<3 {
            var sketch = DDSketch()
            var values: [Double] = []
            for _ in 0..<20_000 {
                let value: Double = switch distribution {
                case 0: Double.random(in: 1...5000, using: &generator)
                case 1: exp(Double.random(in: 0...12, using: &generator)) // log-uniform over 5 decades
                default: Double.random(in: 0...1, using: &generator) < 0.1 ? 0 : Double.random(in: 0.001...0.5, using: &generator)
                }
                values.append(value)
                sketch.add(value)
            }
            values.sort()
            for q in [0.5, 0.75, 0.9, 0.95, 0.99] {
                let truth = exact(values, q)
                let estimate = sketch.quantile(q)!
                #expect(abs(estimate - truth) <= 0.01 * truth + 1e-6, "q\(q) distribution \(distribution): \(estimate) vs \(truth)")
            }
        }
    }

    @Test func sketchesMergeAndSurviveEncoding() throws {
        var a = DDSketch(), b = DDSketch(), all = DDSketch()
        var values: [Double] = []
        for i in 0..<5000 {
            let v = Double((i * 7919) % 3001) + 0.5
            values.append(v)
            if i % 2 == 0 { a.add(v) } else { b.add(v) }
            all.add(v)
        }
        a.merge(b)
        #expect(a == all)
        let decoded = try #require(DDSketch(encoded: a.encoded()))
        #expect(decoded.count == 5000)
        #expect(decoded.quantiles([0.5, 0.99]) == a.quantiles([0.5, 0.99]))
        #expect(a.encoded().count < 3000)
        #expect(a.histogram(buckets: 20).reduce(0) { $0 + $1.count } == 5000)
        #expect(DDSketch(encoded: [1, 2, 3]) == nil)
        #expect(DDSketch(encoded: []) == nil)
        values.sort()
        #expect(abs(decoded.quantile(0.95)! - exact(values, 0.95)) <= 0.01 * exact(values, 0.95))
    }

    @Test func userSketchesAreExactWhenSmallAndWithinTenPercentWhenLarge() throws {
        var small = UserSketch(), other = UserSketch()
        for i in 0..<40 { small.add(UserSketch.hash("user-\(i)")) }
        for i in 20..<60 { other.add(UserSketch.hash("user-\(i)")) }
        #expect(small.count == 40)
        small.merge(other)
        #expect(small.count == 60)
        for n in [500, 5_000, 100_000] {
            var a = UserSketch(), b = UserSketch()
            for i in 0..<n { if i % 3 == 0 { a.add(UserSketch.hash("u\(i)")) } else { b.add(UserSketch.hash("u\(i)")) } }
            a.merge(b)
            let decoded = try #require(UserSketch(encoded: a.encoded()))
            #expect(decoded == a)
            #expect(abs(Double(decoded.count) - Double(n)) <= 0.1 * Double(n), "\(n): \(decoded.count)")
            #expect(a.encoded().count <= 513)
        }
        #expect(UserSketch(encoded: [1, 2]) == nil)
        #expect(UserSketch(encoded: [0, 1, 2, 3]) == nil)
    }

    @Test func apdexAndUserMiseryFollowSentry() {
        #expect(Apdex.zone(durationMilliseconds: 300, threshold: 300) == .satisfied)
        #expect(Apdex.zone(durationMilliseconds: 1200, threshold: 300) == .tolerable)
        #expect(Apdex.zone(durationMilliseconds: 1201, threshold: 300) == .frustrated)
        #expect(Apdex.score(satisfied: 60, tolerable: 30, total: 100) == 0.75)
        #expect(Apdex.score(satisfied: 0, tolerable: 0, total: 0) == nil)
        let misery = Apdex.userMisery(miserableUsers: 10, users: 100)!
        #expect(abs(misery - (10 + 5.8875) / (100 + 5.8875 + 111.8625)) < 1e-12)
        // Against an exact computation on random durations.
        var stats = DurationStats()
        var satisfied = 0.0, tolerable = 0.0
        for _ in 0..<1000 {
            let d = Double.random(in: 0...2000)
            let zone = Apdex.zone(durationMilliseconds: d, threshold: 300)
            stats.add(d, good: zone == .satisfied, fair: zone == .tolerable, eventID: nil)
            if d <= 300 { satisfied += 1 } else if d <= 1200 { tolerable += 1 }
        }
        #expect(abs(stats.apdex! - (satisfied + tolerable / 2) / 1000) < 1e-12)
    }

    @Test func webVitalsAreRatedOnTheThresholds() {
        #expect(WebVital.lcp.rating(2500) == .good)
        #expect(WebVital.lcp.rating(2501) == .needsImprovement)
        #expect(WebVital.lcp.rating(4001) == .poor)
        #expect(WebVital.cls.rating(0.05) == .good)
        #expect(WebVital.cls.rating(0.3) == .poor)
        #expect(WebVital.inp.rating(350) == .needsImprovement)
        #expect(abs(WebVital.lcp.score(2500) - 0.9) < 0.001)
        #expect(abs(WebVital.lcp.score(4000) - 0.5) < 0.001)
        let score = WebVital.performanceScore(p75: [.lcp: 2500, .cls: 0.1, .inp: 200, .fcp: 1800, .ttfb: 800])!
        #expect(abs(score - 0.9) < 0.001)
        #expect(WebVital.performanceScore(p75: [:]) == nil)
    }

    @Test func namesAndQueriesGroup() {
        #expect(SpanGrouping.transactionName("/users/42/orders/9f1c2d3e-1111-2222-3333-444455556666", source: "url") == "/users/{id}/orders/{uuid}")
        #expect(SpanGrouping.transactionName("/menus/<int:menu_id>", source: "route") == "/menus/<int:menu_id>")
        #expect(SpanGrouping.path("/files/3f2a9c0d8e7b6a5f4e3d2c1b/raw?x=1") == "/files/{hash}/raw")
        #expect(SpanGrouping.sql("SELECT * FROM users WHERE id = 42 AND name = 'O''Brien'") == "SELECT * FROM users WHERE id = %s AND name = %s")
        #expect(SpanGrouping.sql("select * from t where id in (1, 2, 3)") == "select * from t where id in (%s)")
        #expect(SpanGrouping.sql("select  *\n from t where id = $1;") == "select * from t where id = %s")
        #expect(SpanGrouping.sql("select * from t2 where v = 1.5") == "select * from t2 where v = %s")
        #expect(SpanGrouping.spanDescription(op: "http.client", description: "GET https://api.example.com/users/42?page=2") == "GET api.example.com/users/{id}")
        #expect(SpanGrouping.spanDescription(op: "db.redis", description: "hgetall session:42") == "HGETALL")
        #expect(SpanGrouping.spanDescription(op: "cache.get", description: "get user:42") == "GET")
        #expect(SpanGrouping.spanDescription(op: "celery.task", description: "shop.tasks.send_receipt") == "shop.tasks.send_receipt")
    }

    func span(_ id: String, parent: String = "root", op: String = "db", _ description: String, start: Double, ms: Double) -> SpanFact {
        SpanFact(spanID: id, parentSpanID: parent, op: op, description: description, start: start, end: start + ms / 1000)
    }

    @Test func nPlusOneNeedsFiveSequentialSimilarQueriesOverFiftyMilliseconds() {
        var spans = [span("s0", "select id from dishes where menu_id = 1", start: 0, ms: 5)]
        for i in 1...6 { spans.append(span("s\(i)", "select name from dishes where id = \(i)", start: 0.01 * Double(i), ms: 9)) }
        let problems = PerformanceDetector.problems(in: spans)
        #expect(problems.map(\.kind) == [.nPlusOne])
        #expect(problems.first?.subject == "select name from dishes where id = %s")
        #expect(problems.first?.spanIDs.count == 6)
        // Too fast in all: not a problem.
        let fast = spans.map { SpanFact(spanID: $0.spanID, parentSpanID: $0.parentSpanID, op: $0.op, description: $0.description, start: $0.start, end: $0.start + 0.001) }
        #expect(PerformanceDetector.problems(in: fast).isEmpty)
        // Overlapping (parallel) queries are not sequential.
        let parallel = (1...6).map { span("p\($0)", "select name from dishes where id = \($0)", start: 0, ms: 20) }
        #expect(PerformanceDetector.problems(in: parallel).isEmpty)
        // Four are not enough; under different parents they are not one run.
        #expect(PerformanceDetector.problems(in: Array(spans.prefix(5))).isEmpty)
        let split = spans.enumerated().map { i, s in SpanFact(spanID: s.spanID, parentSpanID: i % 2 == 0 ? "a" : "b", op: s.op, description: s.description, start: s.start, end: s.end) }
        #expect(PerformanceDetector.problems(in: split).isEmpty)
    }

    @Test func consecutiveHTTPAndSlowQueries() {
        let http = (0..<3).map { span("h\($0)", op: "http.client", "GET https://api.example.com/items/\($0)", start: Double($0) * 0.4, ms: 350) }
        #expect(PerformanceDetector.problems(in: http).map(\.kind) == [.consecutiveHTTP])
        let overlapping = (0..<3).map { span("o\($0)", op: "http.client", "GET https://api.example.com/items/\($0)", start: 0, ms: 350) }
        #expect(PerformanceDetector.problems(in: overlapping).isEmpty)
        let slow = [span("q", "select * from orders", start: 0, ms: 1500), span("r", "select * from refunds", start: 2, ms: 6000)]
        let found = PerformanceDetector.problems(in: slow)
        #expect(found.map(\.kind) == [.slowQuery, .slowQuery])
        #expect(found.map(\.level) == ["warning", "error"])
    }

    @Test func theRecordedFlaskTransactionReadsAsFacts() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/fixtures/flask-shop")
        let bytes = Array(try Data(contentsOf: directory.appendingPathComponent("flask_n_plus_one.1.body")))
        let item = try Envelope.parse(bytes).items.first { $0.type == "transaction" }!
        let facts = try TransactionFacts(try JSONParser.parse(item.payload))
        #expect(facts.name == "/menus/<int:menu_id>")
        #expect(facts.spans.count == 9)
        #expect(!facts.failed)
        #expect(facts.durationMilliseconds > 0 && facts.durationMilliseconds < 100)
        #expect(Set(facts.spans.map(\.group)) == ["select id from dishes where menu_id = ?", "select name, price from dishes where id = ?"])
        // Eight similar queries, but microseconds in all: below the 50 ms an N+1 needs.
        #expect(PerformanceDetector.problems(in: facts.spans).isEmpty)
        var lenient = PerformanceThresholds()
        lenient.nPlusOneTotalMilliseconds = 0
        #expect(PerformanceDetector.problems(in: facts.spans, thresholds: lenient).first?.spanIDs.count == 8)
    }

    @Test func badTransactionsAreRefused() {
        #expect(throws: ValidationError.self) { try TransactionFacts(.object(["timestamp": .double(10)])) }
        #expect(throws: ValidationError.self) { try TransactionFacts(.object(["timestamp": .double(10), "start_timestamp": .double(20)])) }
        #expect(throws: ValidationError.self) { try TransactionFacts(.object(["timestamp": .double(200_000), "start_timestamp": .double(1)])) }
        let facts = try? TransactionFacts(.object([
            "timestamp": .double(11), "start_timestamp": .double(10),
            "measurements": .object(["lcp": .object(["value": .double(2000)]), "bad": .object(["value": .string("x")])]),
        ]))
        #expect(facts?.measurements == ["lcp": 2000])
        #expect(facts?.droppedMeasurements == 1)
        #expect(facts?.vitals[.lcp] == 2000)
    }

    @Test func tallyCountsZonesVitalsAndUsers() throws {
        var tally = PerformanceTally()
        for (i, ms) in [100.0, 200, 900, 5000].enumerated() {
            var facts = TransactionFacts(name: "/checkout", status: i == 3 ? "internal_error" : "ok", start: 60, end: 60 + ms / 1000, userKey: "u\(i % 2)",
                                         measurements: ["lcp": 3000, "cls": 0.01], segments: ["device": "mobile"])
            facts.spans = [SpanFact(spanID: "a", parentSpanID: nil, op: "db", description: "select 1", start: 60, end: 60.01)]
            tally.add(facts, projectID: 1, eventID: "e\(i)", environment: "prod", release: "1.0", threshold: 300)
        }
        let tx = try #require(tally.stats.first { $0.key.kind == .transaction }?.value)
        #expect(tx.count == 4 && tx.failures == 1 && tx.good == 2 && tx.fair == 1)
        #expect(tx.exampleEventID == "e3")
        let lcp = tally.stats.filter { $0.key.kind == .vital && $0.key.detail == "lcp" }
        #expect(Set(lcp.keys.map(\.segment)) == ["", "device:mobile"])
        #expect(lcp.values.allSatisfy { $0.fair == 4 })
        #expect(tx.users.count == 2)
        #expect(tx.miserableUsers.count == 1)
        #expect(tally.stats.first { $0.key.kind == .span }?.key.name == "select %s")
    }

    @Test func rollupPlanReadsHoursThenDays() {
        let h = PerformanceTally.hour, d = PerformanceTally.day
        #expect(RollupPlan.parts(from: 10 * d + 30 * 60_000, to: 11 * d) == [RollupPlan.Part(granularity: h, from: 10 * d, to: 11 * d)])
        let week = RollupPlan.parts(from: 10 * d + 5 * h + 1, to: 17 * d + 5 * h + 1)
        #expect(week == [
            RollupPlan.Part(granularity: h, from: 10 * d + 5 * h, to: 11 * d),
            RollupPlan.Part(granularity: d, from: 11 * d, to: 17 * d),
            RollupPlan.Part(granularity: h, from: 17 * d, to: 17 * d + 5 * h + 1),
        ])
        #expect(RollupPlan.resolution(from: 0, to: 3 * h) == PerformanceTally.minute)
        #expect(RollupPlan.resolution(from: 0, to: 7 * d) == h)
    }

    @Test func releaseHealthAndRegressions() {
        let health = ReleaseHealth(sessions: 200, crashedSessions: 3, users: 50, crashedUsers: 2)
        #expect(health.crashFreeSessions == 1 - 3.0 / 200)
        #expect(health.crashFreeUsers == 1 - 2.0 / 50)
        #expect(health.adoption(of: 400) == 0.5)
        #expect(ReleaseHealth.Status(reported: "weird") == .ok)
        var baseline = DDSketch(), current = DDSketch(), half = DDSketch()
        for i in 0..<100 {
            baseline.add(100 + Double(i))
            current.add(300 + Double(i))
            if i % 2 == 0 { half.add(300 + Double(i)) }
        }
        #expect(RegressionDetector.judge(current: current, recentHalf: half, baseline: baseline, factor: 1.5, minimumCount: 30) != nil)
        #expect(RegressionDetector.judge(current: baseline, recentHalf: baseline, baseline: baseline, factor: 1.5, minimumCount: 30) == nil)
        #expect(RegressionDetector.judge(current: current, recentHalf: half, baseline: baseline, factor: 1.5, minimumCount: 1000) == nil)
        #expect(UserAgent("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1") == UserAgent.init("x").with(device: "mobile", browser: "Safari"))
    }
}

extension UserAgent {
    func with(device: String, browser: String) -> UserAgent {
        var copy = self
        copy.device = device
        copy.browser = browser
        return copy
    }
}
