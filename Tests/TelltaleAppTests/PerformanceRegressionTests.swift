import Foundation
import Testing
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
}
