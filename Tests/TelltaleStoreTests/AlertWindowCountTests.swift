import Foundation
import Logging
import Testing
import TelltaleCore
import TelltaleStore
import TelltaleTestSupport

/// The counts alert rules read are carried from one evaluation round to the next; carried,
/// they stay equal to a count made afresh, as the window slides and late events arrive.
@Suite("Alert window counts")
struct AlertWindowCountTests {
    @Test("carried counts equal fresh counts round after round", arguments: TestDatabase.allCases)
    func carried(database: TestDatabase) async throws {
        try await database.withStore { store in
            let org = try await store.repositories.organizations.create(slug: Slug("acme"), name: "Acme")
            let project = try await store.repositories.projects.create(organizationID: org.id, slug: Slug("web"), name: "Web", platform: "python")
            let start = Date().timeIntervalSince1970 - 3_600
            var position: Int64 = 0
            var checked = 0
            // Twelve rounds, 10 s apart: the 45 s window and the minute's rate both slide past
            // earlier rounds; every third round also brings an event that happened long ago.
            for round in 0..<12 {
                let now = start + Double(round) * 10
                var records: [IngestRecord] = []
                for index in 0..<(3 + round % 4) {
                    records.append(try TestEvents.error(project.id, index % 2 == 0 ? "A" : "B", receivedAt: now + Double(index) / 4))
                }
                if round % 3 == 2 { records.append(try TestEvents.error(project.id, "A", receivedAt: now + 2, occurredAt: now - 30)) }
                try await store.ingest.write(records)
                let batch = try await store.repositories.alertSignals.eventSignals(after: position, limit: 500)
                position = batch.last?.position ?? position
                let carried = try await store.repositories.alertSignals.facts(for: batch, windows: [45, 3_600], userThresholds: [:], projectRate: true)
                // A new store over the same database has nothing carried: it counts afresh.
                let fresh = try await Store(backend: store.backend, logger: Logger(label: "test")).repositories.alertSignals
                    .facts(for: batch, windows: [45, 3_600], userThresholds: [:], projectRate: true)
                #expect(carried.map(\.issueEvents) == fresh.map(\.issueEvents), "round \(round)")
                #expect(carried.map(\.projectEventsLastMinute) == fresh.map(\.projectEventsLastMinute), "round \(round)")
                checked += batch.count
            }
            #expect(checked > 50)
        }
    }
}
