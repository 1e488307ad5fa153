import Foundation
import Metrics
import Testing
import TelltaleAlerting
import TelltaleCore
import TelltalePerformance
import TelltaleStore
import TelltaleTestSupport

/// A transaction whose last hour (and last half hour) runs slower than the same hour a week
/// before is a regression; a recorded regression reaches alert rules as a detection.
@Suite("Performance regressions")
struct PerformanceRegressionTests {
    static func facts(_ name: String, ms: Double, at end: Double) -> TransactionFacts {
        TransactionFacts(name: name, status: "ok", start: end - ms / 1000, end: end)
    }

    @Test("p95 over the last hour against the same hour last week, with enough volume", arguments: TestDatabase.allCases)
    func regression(database: TestDatabase) async throws {
        try await database.withStore { store in
            let org = try await store.repositories.organizations.create(slug: Slug("acme"), name: "Acme")
            let project = try await store.repositories.projects.create(organizationID: org.id, slug: Slug("web"), name: "Web", platform: "python")
            let now = Date()
            let at = now.timeIntervalSince1970
            var tally = PerformanceTally()
            for i in 0..<60 {
                // A week ago: /checkout about 100 ms, /home about 50 ms.
                tally.add(Self.facts("/checkout", ms: 90 + Double(i % 20), at: at - 7 * 86_400 - 3000 + Double(i) * 40), projectID: project.id.rawValue,
                          eventID: "a\(i)", environment: nil, release: nil, threshold: 300)
                tally.add(Self.facts("/home", ms: 45 + Double(i % 10), at: at - 7 * 86_400 - 3000 + Double(i) * 40), projectID: project.id.rawValue,
                          eventID: "b\(i)", environment: nil, release: nil, threshold: 300)
                // The last hour: /checkout three times slower, /home unchanged.
                tally.add(Self.facts("/checkout", ms: 300 + Double(i % 20), at: at - 3500 + Double(i) * 55), projectID: project.id.rawValue,
                          eventID: "c\(i)", environment: nil, release: nil, threshold: 300)
                tally.add(Self.facts("/home", ms: 45 + Double(i % 10), at: at - 3500 + Double(i) * 55), projectID: project.id.rawValue,
                          eventID: "d\(i)", environment: nil, release: nil, threshold: 300)
            }
            try await store.repositories.performance.record(tally)
            while try await store.repositories.performance.rollUp(before: now, limit: 1000) == 1000 {}
            let finder = RegressionFinder(repositories: store.repositories)
            let found = try await finder.find(project, kind: .transaction, now: now)
            #expect(found.map(\.name) == ["/checkout"])
            #expect(found.first.map { $0.ratio > 2.5 && $0.ratio < 3.5 } == true, "\(found)")
            // Stricter settings: not enough volume.
            var strict = project
            strict.settings.performance.regressionMinimumCount = 500
            #expect(try await finder.find(strict, kind: .transaction, now: now).isEmpty)

            try await store.repositories.performance.recordRegression(projectID: project.id.rawValue, issueID: nil, title: "Regression: /checkout",
                                                                      detail: "p95 3×", at: now)
            let signals = try await store.repositories.alertSignals.detectionSignals(after: 0, limit: 10)
            #expect(signals.map(\.signal.kind) == [.regression])
            #expect(signals.first?.signal.organizationID == org.id)
            let condition = try JSONDecoder().decode(AlertCondition.self, from: Data(#"{"type": "regression_detected"}"#.utf8))
            #expect(condition == .regressionDetected)
        }
    }

    @Test("against a baseline release: the other releases' last hour against the chosen release's last two weeks", arguments: TestDatabase.allCases)
    func baselineRelease(database: TestDatabase) async throws {
        try await database.withStore { store in
            let org = try await store.repositories.organizations.create(slug: Slug("acme"), name: "Acme")
            var project = try await store.repositories.projects.create(organizationID: org.id, slug: Slug("web"), name: "Web", platform: "python")
            let now = Date()
            let at = now.timeIntervalSince1970
            var tally = PerformanceTally()
            for i in 0..<60 {
                // Release 1.0 three days ago at about 100 ms; 2.0 in the last hour at about 250 ms; nothing a week ago.
                tally.add(Self.facts("/checkout", ms: 90 + Double(i % 20), at: at - 3 * 86_400 + Double(i) * 60), projectID: project.id.rawValue,
                          eventID: "a\(i)", environment: nil, release: "1.0", threshold: 300)
                tally.add(Self.facts("/checkout", ms: 240 + Double(i % 20), at: at - 3500 + Double(i) * 55), projectID: project.id.rawValue,
                          eventID: "b\(i)", environment: nil, release: "2.0", threshold: 300)
            }
            try await store.repositories.performance.record(tally)
            while try await store.repositories.performance.rollUp(before: now, limit: 1000) == 1000 {}
            let finder = RegressionFinder(repositories: store.repositories)
            #expect(try await finder.find(project, kind: .transaction, now: now).isEmpty, "no traffic a week ago: no baseline")
            project.settings.performance.regressionBaselineRelease = "1.0"
            let found = try await finder.find(project, kind: .transaction, now: now)
            #expect(found.map(\.name) == ["/checkout"] && found.first?.baseline == "release 1.0", "\(found)")
            #expect(found.first.map { $0.ratio > 2 && $0.ratio < 3 } == true, "\(found)")
            project.settings.performance.regressionBaselineRelease = "2.0"
            #expect(try await finder.find(project, kind: .transaction, now: now).isEmpty, "the baseline release itself is not compared with itself")
        }
    }

    @Test("latency, Apdex and web-vital thresholds in alert rules: a crossing is recorded once for its rule and becomes one alert",
          arguments: TestDatabase.allCases)
    func thresholds(database: TestDatabase) async throws {
        try await database.withStore { store in
            let repositories = store.repositories
            let org = try await repositories.organizations.create(slug: Slug("acme"), name: "Acme")
            let project = try await repositories.projects.create(organizationID: org.id, slug: Slug("web"), name: "Web", platform: "python")
            let other = try await repositories.projects.create(organizationID: org.id, slug: Slug("api"), name: "API", platform: "python")
            let channel = try await repositories.alerts.createChannel(organizationID: org.id, name: "Hook",
                                                                      config: .webhook(url: "http://127.0.0.1:9/", secret: nil, headers: [:], template: nil),
                                                                      now: Date())
            func rule(_ name: String, _ conditions: String, match: String = "any", filters: String = "[]") async throws -> AlertRule {
                let draft = try JSONDecoder().decode(AlertRuleDraft.self, from: Data(#"""
                    {"name": "\#(name)", "match": "\#(match)", "conditions": \#(conditions), "filters": \#(filters), "actions": [{"type": "notify", "channels": ["\#(channel.id)"]}]}
                    """#.utf8))
                return try await repositories.alerts.createRule(organizationID: org.id, draft, now: Date())
            }
            let slow = try await rule("Slow checkout", #"[{"type": "latency_threshold", "percentile": "p95", "milliseconds": 500, "window_seconds": 600}]"#,
                                      filters: #"[{"type": "project", "ids": ["\#(project.id)"]}]"#)
            let both = try await rule("Slow and unhappy", #"[{"type": "latency_threshold", "milliseconds": 500}, {"type": "apdex_below", "threshold": 0.5}]"#, match: "all")
            let vitals = try await rule("Poor LCP", #"[{"type": "web_vital_poor", "vital": "lcp", "window_seconds": 3600}]"#)
            let production = try await rule("Production only", #"[{"type": "latency_threshold", "milliseconds": 500}]"#,
                                            filters: #"[{"type": "environment", "values": ["production"]}]"#)

            let now = Date()
            let at = now.timeIntervalSince1970
            var tally = PerformanceTally()
            for i in 0..<20 {
                // /checkout: p95 ≈ 800 ms but Apdex (T = 300) 0.5 + ; /home fast; both in staging. A page with poor LCP.
                for project in [project, other] {
                    tally.add(Self.facts("/checkout", ms: i < 10 ? 200 : 800, at: at - 120 + Double(i)), projectID: project.id.rawValue,
                              eventID: "c\(project.id)-\(i)", environment: "staging", release: nil, threshold: 300)
                }
                tally.add(Self.facts("/home", ms: 40, at: at - 120 + Double(i)), projectID: project.id.rawValue, eventID: "h\(i)",
                          environment: "staging", release: nil, threshold: 300)
                tally.add(TransactionFacts(name: "/", op: "pageload", start: at - 200, end: at - 199.8, measurements: ["lcp": 4500 + Double(i)]),
                          projectID: project.id.rawValue, eventID: "p\(i)", environment: "staging", release: nil, threshold: 300)
            }
            try await repositories.performance.record(tally)

            let watcher = ThresholdWatcher(repositories: repositories)
            var standing = StandingCrossings()
            let first = try await watcher.pass(now: now, standing: &standing)
            let crossed = Set(first.map { "\($0.ruleID) \($0.projectID) \($0.name)" })
            #expect(crossed == ["\(slow.id) \(project.id) /checkout", "\(vitals.id) \(project.id) /"], "\(first)")
            #expect(!crossed.contains { $0.hasPrefix("\(both.id) ") }, "Apdex 0.75 is not under 0.5: a rule matching all does not fire")
            #expect(!crossed.contains { $0.hasPrefix("\(production.id) ") }, "staging traffic is outside the production filter")
            // The next pass finds the same breaches standing: nothing new is recorded.
            let before = standing
            let second = try await watcher.pass(now: now.addingTimeInterval(60), standing: &standing)
            #expect(second.isEmpty && standing == before)

            let evaluator = AlertEvaluator(repositories: repositories, publicURL: "http://telltale.test", logger: TestDatabase.logger,
                                           metrics: NOOPMetricsHandler.instance)
            try await evaluator.evaluate()
            let alerts = try await repositories.alerts.alerts(organizationID: org.id, limit: 10)
            #expect(Set(alerts.map(\.ruleID)) == [slow.id, vitals.id], "\(alerts.map(\.firing))")
            #expect(alerts.first { $0.ruleID == slow.id }?.firing.reason.hasPrefix("p95 8") == true)
            #expect(alerts.first { $0.ruleID == vitals.id }?.firing.reason.hasPrefix("LCP p75 4") == true)
            #expect(alerts.allSatisfy { $0.link == "http://telltale.test/organizations/acme/performance/" })
        }
    }
}
