import Foundation
import Testing
import TelltaleCore

/// Performance thresholds in alert rules: how they read and write, how they judge a window's
/// statistics, and that a crossed threshold reaches only the rule that set it.
@Suite("Performance thresholds")
struct PerformanceWatchTests {
    static func stats(_ durations: [Double], threshold: Double = 300) -> DurationStats {
        var stats = DurationStats()
        for value in durations {
            let zone = Apdex.zone(durationMilliseconds: value, threshold: threshold)
            stats.add(value, good: zone == .satisfied, fair: zone == .tolerable, eventID: nil)
        }
        return stats
    }

    @Test("latency_threshold, apdex_below and web_vital_poor read with defaults, write back the same, and refuse nonsense")
    func coding() throws {
        let latency = try AlertingTests.decode(AlertCondition.self, #"{"type": "latency_threshold", "milliseconds": 800, "transaction": "/checkout"}"#)
        #expect(latency == .performance(PerformanceWatch(measure: .latency(.p95, above: 800), windowSeconds: 300, name: "/checkout")))
        let apdex = try AlertingTests.decode(AlertCondition.self, #"{"type": "apdex_below", "threshold": 0.8, "window_seconds": 3600, "minimum_count": 20}"#)
        #expect(apdex == .performance(PerformanceWatch(measure: .apdex(below: 0.8), windowSeconds: 3600, minimumCount: 20)))
        let vital = try AlertingTests.decode(AlertCondition.self, #"{"type": "web_vital_poor", "vital": "lcp", "page": "/"}"#)
        #expect(vital == .performance(PerformanceWatch(measure: .webVital(.lcp), name: "/")))
        for condition in [latency, apdex, vital] {
            #expect(try JSONDecoder().decode(AlertCondition.self, from: JSONEncoder().encode(condition)) == condition)
        }
        for bad in [#"{"type": "latency_threshold"}"#, #"{"type": "latency_threshold", "milliseconds": 5, "percentile": "p42"}"#,
                    #"{"type": "apdex_below", "threshold": 1.5}"#, #"{"type": "web_vital_poor", "vital": "speed"}"#,
                    #"{"type": "apdex_below", "threshold": 0.9, "window_seconds": 10}"#, #"{"type": "latency_threshold", "milliseconds": 5, "transaction": ""}"#] {
            #expect(throws: ValidationError.self, "\(bad)") { try AlertingTests.decode(AlertCondition.self, bad) }
        }
    }

    @Test("a window's p95 over the limit, its Apdex under the floor, a vital's p75 rated poor; too few transactions say nothing")
    func judging() {
        // 100 transactions of 10…1000 ms: p95 ≈ 950, Apdex (T = 300) = (30 + 70/2) / 100 = 0.65.
        let durations = (1...100).map { Double($0) * 10 }
        let stats = Self.stats(durations)
        #expect(PerformanceWatch(measure: .latency(.p95, above: 900)).judge(stats)?.hasPrefix("p95 9") == true)
        #expect(PerformanceWatch(measure: .latency(.p95, above: 1000)).judge(stats) == nil)
        #expect(PerformanceWatch(measure: .latency(.p50, above: 400)).judge(stats) != nil)
        #expect(PerformanceWatch(measure: .apdex(below: 0.7)).judge(stats)?.contains("Apdex 0.65") == true)
        #expect(PerformanceWatch(measure: .apdex(below: 0.6)).judge(stats) == nil)
        #expect(PerformanceWatch(measure: .latency(.p95, above: 900), minimumCount: 101).judge(stats) == nil)

        let lcp = Self.stats([3000, 4200, 4500, 5000]), cls = Self.stats([0.01, 0.02, 0.05, 0.3])
        #expect(PerformanceWatch(measure: .webVital(nil)).judge(vitals: [.lcp: lcp, .cls: cls])?.hasPrefix("LCP p75") == true)
        #expect(PerformanceWatch(measure: .webVital(.cls)).judge(vitals: [.lcp: lcp, .cls: cls]) == nil)
        #expect(PerformanceWatch(measure: .webVital(.lcp), minimumCount: 5).judge(vitals: [.lcp: lcp]) == nil)
        #expect(PerformanceWatch(measure: .webVital(.lcp)).judge(stats) == nil, "a vital watch does not judge transactions")
    }

    @Test("a crossed threshold fires the rule that set it, not another rule with thresholds, nor rules on other detections")
    func addressing() throws {
        func rule(_ id: Int64, _ conditions: [AlertCondition]) throws -> AlertRule {
            AlertRule(id: AlertRuleID(id), organizationID: AlertingTests.org, draft: try AlertRuleDraft(
                name: "r\(id)", conditions: conditions, actions: [.init(channels: [ChannelID(1)])]))
        }
        let slow = try rule(7, [.performance(PerformanceWatch(measure: .latency(.p95, above: 500)))])
        let apdex = try rule(8, [.performance(PerformanceWatch(measure: .apdex(below: 0.8)))])
        let spikes = try rule(9, [.spikeDetected(.any), .regressionDetected])
        let crossed = AlertSignal.detection(DetectionSignal(organizationID: AlertingTests.org, kind: .threshold, detectionID: 7, projectID: ProjectID(3),
                                                            issueID: nil, title: "Performance threshold: /checkout", detail: "p95 812 ms over 500 ms in 5 min",
                                                            issueSeverity: nil, at: Date()))
        let firing = RuleEngine.evaluate(slow, crossed, facts: .init(), calendars: [:])
        #expect(firing?.reason == "p95 812 ms over 500 ms in 5 min" && firing?.subject == "threshold:7:3:Performance threshold: /checkout")
        #expect(RuleEngine.evaluate(apdex, crossed, facts: .init(), calendars: [:]) == nil)
        #expect(RuleEngine.evaluate(spikes, crossed, facts: .init(), calendars: [:]) == nil)
    }
}
