import Foundation
import Testing
import TelltaleCore
import TelltaleStore
import TelltaleTestSupport

/// Each issue's five-minute counts (what the detectors read) stay equal to its events through
/// ingest, merge, unmerge and retention.
@Suite("Issue counts")
struct IssueCountsTests {
    @Test("the five-minute counts follow the events through ingest, merge, unmerge and retention", arguments: TestDatabase.allCases)
    func counts(database: TestDatabase) async throws {
        try await database.withStore { store in
            let org = try await store.repositories.organizations.create(slug: Slug("acme"), name: "Acme")
            let project = try await store.repositories.projects.create(organizationID: org.id, slug: Slug("web"), name: "Web", platform: "python")
            let user = try await store.repositories.users.create(email: "triage@example.com", name: "Triage", passwordHash: "x", isSystemAdmin: false).id
            let bucket = TimeInterval(SpikeDetector.bucketMilliseconds / 1000)
            let start = (Date().timeIntervalSince1970 / bucket).rounded(.down) * bucket - 3_600
            var records: [IngestRecord] = []
            for _ in 0..<3 { records.append(try EventCountsTests.event(project.id, "A", level: "error", category: nil, receivedAt: start + 10)) }
            for _ in 0..<2 { records.append(try EventCountsTests.event(project.id, "A", level: "error", category: nil, receivedAt: start + 2 * bucket + 10)) }
            for _ in 0..<2 { records.append(try EventCountsTests.event(project.id, "B", level: "error", category: nil, receivedAt: start + 10)) }
            try await store.ingest.write(records)
            let issues = try await store.repositories.issues.search(IssueSearch(projectIDs: [project.id], query: IssueQuery(filters: []), user: UserID(1))).issues
            let a = try #require(issues.first { $0.title.hasPrefix("A") }), b = try #require(issues.first { $0.title.hasPrefix("B") })
            let b0 = Int64(start * 1000), b2 = Int64((start + 2 * bucket) * 1000)
            func buckets(_ issue: Int64) async throws -> [Int64: Int] {
                let series = SpikeSeries(projectID: project.id, issueID: issue)
                let from = Date(timeIntervalSince1970: start - 3_600)
                return try await store.repositories.analysis.detectorCounts([series], hourlyFrom: from, bucketsFrom: from)[series]?.buckets ?? [:]
            }
            #expect(try await buckets(a.id) == [b0: 3, b2: 2])
            #expect(try await buckets(b.id) == [b0: 2])

            _ = try await store.repositories.issues.merge([b.id], into: a.id, by: user, now: Date())
            #expect(try await buckets(a.id) == [b0: 5, b2: 2])
            #expect(try await buckets(b.id) == [:])
            let hashB = try #require(try await store.repositories.issues.hashes(issueID: a.id).first { $0 != a.grouping.primaryHash })
            let split = try #require(try await store.repositories.issues.unmerge(issueID: a.id, hashes: [hashB], by: user, now: Date()))
            #expect(try await buckets(a.id) == [b0: 3, b2: 2])
            #expect(try await buckets(split.id) == [b0: 2])

            _ = try await store.repositories.retention.purgeBatch(projectID: project.id, before: Date(timeIntervalSince1970: start + bucket), batchSize: 100)
            #expect(try await buckets(a.id) == [b2: 2])
            #expect(try await buckets(split.id) == [:])
        }
    }
}
