import Foundation
import Testing
import TelltaleCore
import TelltaleStore
import TelltaleTestSupport

/// Transactions become per-minute statistics at ingest; the rollup job folds them into hours
/// and days; a window reads the same figures before and after, within the sketch's accuracy.
@Suite("Performance statistics")
struct PerformanceStatsTests {
    static func transaction(_ project: ProjectID, name: String, ms: Double, at end: Double, status: String = "ok", user: String? = nil,
                            release: String = "1.0", spans: [SpanFact] = [], lcp: Double? = nil) -> IngestRecord {
        let eventID = SecretGenerator.hex(byteCount: 16)
        var facts = TransactionFacts(name: name, status: status, start: end - ms / 1000, end: end, userKey: user,
                                     measurements: lcp.map { ["lcp": $0] } ?? [:], segments: ["device": "mobile"], spans: spans)
        facts.spans = spans
        return .transaction(TransactionRecord(
            projectID: project, eventID: eventID, traceID: nil, name: name, op: "http.server", status: status, startTimestamp: end - ms / 1000,
            timestamp: end, release: release, environment: "production", payload: [], facts: facts, apdexThreshold: 300
        ))
    }

    @Test("statistics are the same read from minutes, from hourly and from daily rollups", arguments: TestDatabase.allCases)
    func rollups(database: TestDatabase) async throws {
        try await database.withStore { store in
            let org = try await store.repositories.organizations.create(slug: Slug("acme"), name: "Acme")
            let project = try await store.repositories.projects.create(organizationID: org.id, slug: Slug("web"), name: "Web", platform: "python")
            let performance = store.repositories.performance
            let now = Date().timeIntervalSince1970
            let dayStart = (now / 86_400).rounded(.down) * 86_400
            var records: [IngestRecord] = []
            var durations: [Double] = []
            // Four days of /checkout, one transaction every 20 minutes, plus some /home today.
            for i in 0..<(4 * 72) {
                let at = dayStart - 3 * 86_400 + Double(i) * 1200 + 30
                guard at < now - 120 else { continue }
                let ms = Double(50 + (i * 37) % 1500)
                durations.append(ms)
                records.append(Self.transaction(project.id, name: "/checkout", ms: ms, at: at, status: i % 10 == 0 ? "internal_error" : "ok",
                                                user: "u\(i % 7)", lcp: 1000 + Double(i * 13 % 4000)))
            }
            let span = SpanFact(spanID: "s", parentSpanID: nil, op: "db", description: "select * from items where id = 42", start: now - 61, end: now - 60.9)
            records.append(Self.transaction(project.id, name: "/home", ms: 80, at: now - 60, spans: [span]))
            for chunk in stride(from: 0, to: records.count, by: 50) { try await store.ingest.write(Array(records[chunk..<min(chunk + 50, records.count)])) }

            let from = Int64((dayStart - 3 * 86_400) * 1000), to = Int64(now * 1000) + 1
            func checkout() async throws -> DurationStats {
                let stats = try await performance.stats(PerformanceQuery(projectID: project.id.rawValue, kind: .transaction, from: from, to: to, name: "/checkout"))
                return try #require(stats.values.first)
            }
            let before = try await checkout()
            #expect(before.count == Int64(durations.count))
            #expect(before.failures == Int64(durations.indices.filter { $0 % 10 == 0 }.count))
            #expect(before.good == Int64(durations.filter { $0 <= 300 }.count))
            #expect(before.fair == Int64(durations.filter { $0 > 300 && $0 <= 1200 }.count))

            var rolled = 0
            while true {
                let n = try await performance.rollUp(before: Date(timeIntervalSince1970: now + 60), limit: 100)
                rolled += n
                if n < 100 { break }
            }
            #expect(rolled >= durations.count)
            let after = try await checkout()
            #expect(after.count == before.count && after.failures == before.failures && after.good == before.good)
            let sorted = durations.sorted()
            let exact = sorted[Int((0.95 * Double(sorted.count)).rounded(.up)) - 1]
            #expect(abs(after.sketch.quantile(0.95)! - exact) <= 0.01 * exact)
            #expect(try await performance.rollUp(before: Date(timeIntervalSince1970: now + 60), limit: 100) == 0)

            // A window under two days reads hourly rows; per name; users; spans; vitals by segment.
            let all = try await performance.stats(PerformanceQuery(projectID: project.id.rawValue, kind: .transaction, from: Int64((now - 3600) * 1000), to: to))
            #expect(all.keys.contains { $0.name == "/home" })
            #expect(after.users.count == 7)
            #expect(after.miserableUsers.count == Int64(Set(durations.indices.filter { durations[$0] > 1200 }.map { $0 % 7 }).count))
            let spans = try await performance.stats(PerformanceQuery(projectID: project.id.rawValue, kind: .span, from: from, to: to, groupBy: [.name, .detail]))
            #expect(spans.keys.map(\.name) == ["select * from items where id = %s"])
            let vitals = try await performance.stats(PerformanceQuery(projectID: project.id.rawValue, kind: .vital, from: from, to: to,
                                                                      segmentDimension: "device", groupBy: [.detail, .segment]))
            #expect(vitals.keys.map(\.segment) == ["device:mobile"])
            #expect(vitals.values.first?.count == Int64(durations.count))
            // A chart: hourly points.
            let series = try await performance.stats(PerformanceQuery(projectID: project.id.rawValue, kind: .transaction, from: Int64((now - 86_400) * 1000), to: to,
                                                                      name: "/checkout", resolution: PerformanceTally.hour, groupBy: []))
            #expect(series.values.reduce(0) { $0 + $1.count } > 0)
            #expect(series.keys.allSatisfy { $0.bucket % PerformanceTally.hour == 0 })
            try await performance.forget(now: Date())
            #expect(try await checkout().count == before.count)
        }
    }

    @Test("a project's names are capped: past the cap, new names count as <other>", arguments: TestDatabase.allCases)
    func cardinality(database: TestDatabase) async throws {
        try await database.withStore { store in
            let org = try await store.repositories.organizations.create(slug: Slug("acme"), name: "Acme")
            let project = try await store.repositories.projects.create(organizationID: org.id, slug: Slug("web"), name: "Web", platform: "python")
            let now = Date().timeIntervalSince1970
            for batch in 0..<6 {
                try await store.ingest.write((0..<200).map { i in Self.transaction(project.id, name: "/n/\(batch)-\(i)", ms: 10, at: now - 60) })
            }
            let stats = try await store.repositories.performance.stats(PerformanceQuery(
                projectID: project.id.rawValue, kind: .transaction, from: Int64((now - 3600) * 1000), to: Int64(now * 1000) + 1))
            #expect(stats.count == 1001)
            #expect(stats.first { $0.key.name == "<other>" }?.value.count == 200)
            #expect(stats.values.reduce(0) { $0 + $1.count } == 1200)
        }
    }
}
