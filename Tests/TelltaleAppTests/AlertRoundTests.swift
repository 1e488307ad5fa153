import Foundation
import MetricsTestKit
import Testing
import TelltaleAlerting
import TelltaleCore
import TelltaleStore
import TelltaleTestSupport

/// A busy issue fires its rules with every event; one evaluation round records what it held
/// back once, and counts every firing.
@Suite("Alert evaluation rounds")
struct AlertRoundTests {
    @Test("six events of one issue in one round: notified once, one throttled entry, every firing counted", arguments: TestDatabase.allCases)
    func heldBackOncePerRound(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            let repositories = store.repositories
            let org = try await repositories.organizations.create(slug: Slug("acme"), name: "Acme")
            let project = try await repositories.projects.create(organizationID: org.id, slug: Slug("web"), name: "Web", platform: "python")
            let rule = try await repositories.alerts.createRule(
                organizationID: org.id, try AlertRuleDraft(name: "Every error", conditions: [.level(atLeast: .error)], actions: [AlertRuleDraft.Action(roles: [.owner])]),
                now: Date())
            let now = Date().timeIntervalSince1970
            try await store.ingest.write(try (0..<6).map { try TestEvents.error(project.id, "QueueFull", receivedAt: now + Double($0) / 10) })

            let metrics = TestMetrics()
            let evaluator = AlertEvaluator(repositories: repositories, publicURL: "http://telltale.test", logger: TestDatabase.logger, metrics: metrics)
            #expect(try await evaluator.evaluate() == 6)
            // The first event notifies; the action interval throttles the five after it, recorded once.
            let history = try await repositories.alerts.alerts(organizationID: org.id, limit: 50).filter { $0.ruleID == rule.id }
            #expect(history.map(\.status.rawValue).sorted() == ["notified", "throttled"])
            let throttled = try metrics.expectCounter("telltale.alerts.fired.total", [("rule", rule.id.description), ("status", "throttled")])
            #expect(throttled.values.reduce(0, +) == 5)
            let notified = try metrics.expectCounter("telltale.alerts.fired.total", [("rule", rule.id.description), ("status", "notified")])
            #expect(notified.values.reduce(0, +) == 1)

            // The next round records its held-back firing again.
            try await store.ingest.write([try TestEvents.error(project.id, "QueueFull", receivedAt: now + 1)])
            #expect(try await evaluator.evaluate() == 1)
            let later = try await repositories.alerts.alerts(organizationID: org.id, limit: 50).filter { $0.ruleID == rule.id }
            #expect(later.map(\.status.rawValue).sorted() == ["notified", "throttled", "throttled"])
        }
    }
}
