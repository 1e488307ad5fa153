import Foundation
import SentryProtocol
import Testing
import TelltaleCore
import TelltaleStore
import TelltaleTestSupport

/// The hourly event counts behind charts stay equal to the events they count, through
/// ingest, issue deletion and retention, and reads split at hour edges count each event once.
@Suite("Event counts")
struct EventCountsTests {
    static let hour: TimeInterval = 3_600

    /// An error event of `type`, received at `receivedAt`.
    static func event(_ project: ProjectID, _ type: String, level: String, category: String?, receivedAt: TimeInterval) throws -> IngestRecord {
        let tags = category.map { #","tags":{"category":"\#($0)"}"# } ?? ""
        let json = #"{"event_id":"\#(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())","level":"\#(level)","exception":{"values":[{"type":"\#(type)","value":"v"}]}\#(tags)}"#
        let context = EventContext(envelopeEventID: nil, receivedAt: receivedAt)
        let normalized = try EventNormalizer.normalize(try JSONParser.parse(Array(json.utf8)), context: context)
        let grouping = Grouping(digest: { $0.joined(separator: "|") }).group(normalized)
        return .event(EventRecord(projectID: project, summary: EventNormalizer.summarize(normalized), grouping: grouping, payload: [0], receivedAt: receivedAt))
    }

    static func total(_ stats: ErrorStats) -> Int64 {
        stats.eventsByLevel.values.reduce(0) { $0 + $1.points.reduce(0) { $0 + $1.count } }
    }

    @Test("charts read whole hours from the counts and the edges from events", arguments: TestDatabase.allCases)
    func counts(database: TestDatabase) async throws {
        try await database.withStore { store in
            let org = try await store.repositories.organizations.create(slug: Slug("acme"), name: "Acme")
            let project = try await store.repositories.projects.create(organizationID: org.id, slug: Slug("web"), name: "Web", platform: "python")
            // Hour-aligned "now" plus 30 minutes, so the partial hours at both edges are known.
            let now = (Date().timeIntervalSince1970 / Self.hour).rounded(.down) * Self.hour + 1_800
            var records: [IngestRecord] = []
            // 5 hours ago: 3 errors (2 payment), 4 hours ago: 2 warnings, 40 minutes ago: 1 error, 10 minutes ago: 1 fatal.
            for _ in 0..<2 { records.append(try Self.event(project.id, "A", level: "error", category: "payment", receivedAt: now - 5 * Self.hour)) }
            records.append(try Self.event(project.id, "A", level: "error", category: nil, receivedAt: now - 5 * Self.hour + 60))
            for _ in 0..<2 { records.append(try Self.event(project.id, "B", level: "warning", category: nil, receivedAt: now - 4 * Self.hour)) }
            records.append(try Self.event(project.id, "B", level: "error", category: "auth", receivedAt: now - 2_400))
            records.append(try Self.event(project.id, "C", level: "fatal", category: nil, receivedAt: now - 600))
            try await store.ingest.write(records)

            let stats = store.repositories.stats
            let until = Date(timeIntervalSince1970: now)
            let day = try await stats.errorStats(projectIDs: [project.id], since: until.addingTimeInterval(-86_400), until: until, bucketSeconds: 3_600)
            #expect(Self.total(day) == 7)
            #expect(day.eventsByLevel["error"]?.points.reduce(0) { $0 + $1.count } == 4)
            #expect(day.eventsByLevel["warning"]?.points.reduce(0) { $0 + $1.count } == 2)
            #expect(day.eventsByLevel["fatal"]?.points.last?.count == 1)
            let errorHours = day.eventsByLevel["error"]?.points.filter { $0.count > 0 }.map(\.count)
            #expect(errorHours == [3, 1])
            #expect(day.eventsByCategory["payment"]?.points.reduce(0) { $0 + $1.count } == 2)
            #expect(day.eventsByCategory["auth"]?.points.reduce(0) { $0 + $1.count } == 1)
            #expect(day.eventsByCategory[""] == nil)
            // Minute buckets cannot use hourly counts; they count events and agree.
            let minutes = try await stats.errorStats(projectIDs: [project.id], since: until.addingTimeInterval(-6 * Self.hour), until: until, bucketSeconds: 300)
            #expect(Self.total(minutes) == 7)
            // A window starting mid-hour counts only what it covers: from 4 h 59 min ago, one of the 5-hours-ago events.
            let totals = try await stats.eventTotals(projectIDs: [project.id], since: until.addingTimeInterval(-5 * Self.hour + 30), until: until)
            #expect(totals[project.id] == 5)
            let all = try await stats.eventTotals(projectIDs: [project.id], since: until.addingTimeInterval(-86_400), until: until.addingTimeInterval(1))
            #expect(all[project.id] == 7)

            // Deleting an issue takes its events off the counts.
            let issues = try await store.repositories.issues.search(IssueSearch(projectIDs: [project.id], query: IssueQuery(filters: []), user: UserID(1)))
            let warnings = try #require(issues.issues.first { $0.title.hasPrefix("B") })
            #expect(try await store.repositories.issues.delete(id: warnings.id))
            let afterDelete = try await stats.errorStats(projectIDs: [project.id], since: until.addingTimeInterval(-86_400), until: until, bucketSeconds: 3_600)
            #expect(Self.total(afterDelete) == 4)
            #expect(afterDelete.eventsByLevel["warning"]?.points.reduce(0) { $0 + $1.count } ?? 0 == 0)
            #expect(afterDelete.eventsByCategory["auth"]?.points.reduce(0) { $0 + $1.count } ?? 0 == 0)

            // Retention of everything older than 3 hours takes the 5-hours-ago events off too.
            _ = try await store.repositories.retention.purgeBatch(projectID: project.id, before: until.addingTimeInterval(-3 * Self.hour), batchSize: 100)
            let afterPurge = try await stats.errorStats(projectIDs: [project.id], since: until.addingTimeInterval(-86_400), until: until, bucketSeconds: 3_600)
            #expect(Self.total(afterPurge) == 1)
            #expect(afterPurge.eventsByLevel["fatal"]?.points.reduce(0) { $0 + $1.count } == 1)
            #expect(afterPurge.eventsByCategory.isEmpty)
        }
    }
}
