import Foundation
import SentryProtocol
import SQLKit
import Synchronization
import Testing
import TelltaleCore
@testable import TelltaleStore
import TelltaleTestSupport

/// Two nodes on one PostgreSQL database committing ingest batches over the same issues,
/// tags and counters at the same moment: they must queue behind each other's row locks,
/// never deadlock (a deadlock fails one node's batch, and PostgreSQL finds it only after
/// `deadlock_timeout`, with both writers stalled).
@Suite("Ingest from two nodes at once")
struct ConcurrentIngestTests {
    static let types = (0..<16).map { "Failure\($0)" }

    /// An error of `type` with a dozen tags, so each batch writes many shared tag rows.
    static func event(_ project: ProjectID, _ type: String, user: Int, at time: TimeInterval) throws -> IngestRecord {
        let tags = (0..<8).map { #""k\#($0)":"v\#((user + $0) % 3)""# }.joined(separator: ",")
        let json = #"""
            {"event_id":"\#(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())","level":"error","environment":"prod","release":"r\#(user % 4)",
             "user":{"id":"u\#(user)"},"tags":{\#(tags)},"exception":{"values":[{"type":"\#(type)","value":"v"}]}}
            """#
        let context = EventContext(envelopeEventID: nil, receivedAt: time)
        let normalized = try EventNormalizer.normalize(try JSONParser.parse(Array(json.utf8)), context: context)
        let grouping = Grouping(digest: { $0.joined(separator: "|") }).group(normalized)
        return .event(EventRecord(projectID: project, summary: EventNormalizer.summarize(normalized), grouping: grouping, payload: [0], receivedAt: time))
    }

    /// A batch over a random subset of the issues, in random order and size, as requests
    /// arriving at one node would make it.
    static func batch(_ project: ProjectID, at time: TimeInterval) throws -> [IngestRecord] {
        let picked = types.shuffled().prefix(Int.random(in: 6...types.count))
        return try (0..<Int.random(in: 20...60)).map { _ in try event(project, picked.randomElement()!, user: Int.random(in: 0..<40), at: time) }.shuffled()
    }

    @Test("batches committed on two PostgreSQL nodes at the same time over shared issues all succeed, and the counts add up", .timeLimit(.minutes(3)))
    func twoNodes() async throws {
        try await TestDatabase.withTwoNodes { a, b in
            let org = try await a.repositories.organizations.create(slug: Slug("acme"), name: "Acme")
            let project = try await a.repositories.projects.create(organizationID: org.id, slug: Slug("web"), name: "Web", platform: "python")
            let now = Date().timeIntervalSince1970
            // The issues exist first: the rounds below update them, as a busy installation does.
            try await a.ingest.write(try Self.types.map { try Self.event(project.id, $0, user: 0, at: now) })
            var written = Self.types.count
            for _ in 0..<40 {
                let (first, second) = (try Self.batch(project.id, at: now), try Self.batch(project.id, at: now))
                async let onA: Void = a.ingest.write(first)
                async let onB: Void = b.ingest.write(second)
                try await onA
                try await onB
                written += first.count + second.count
            }
            let issues = try await a.repositories.issues.search(IssueSearch(projectIDs: [project.id], query: IssueQuery(filters: []), sort: .date, limit: 100, user: UserID(0)))
            #expect(issues.issues.count == Self.types.count)
            #expect(issues.issues.reduce(0) { $0 + $1.timesSeen } == Int64(written))
            let stats = try await a.repositories.stats.eventTotals(projectIDs: [project.id], since: Date(timeIntervalSince1970: now - 3_600),
                                                                   until: Date(timeIntervalSince1970: now + 3_600))
            #expect(stats.values.reduce(0, +) == Int64(written))
        }
    }

    /// Statements passed on to the real ones, with their rows kept for the test to read.
    final class RecordingStatements: DirectStatements {
        let base: any DirectStatements
        let inserts = Mutex<[(table: String, rows: [[SQLCell]])]>([])
        let queries = Mutex<[(sql: String, binds: [SQLCell])]>([])

        init(_ base: any DirectStatements) { self.base = base }

        func insert(into table: String, columns: [String], rows: [[SQLCell]], onConflict conflict: BulkConflict?) async throws {
            inserts.withLock { $0.append((table, rows)) }
            try await base.insert(into: table, columns: columns, rows: rows, onConflict: conflict)
        }

        func query(_ sql: String, _ binds: [SQLCell]) async throws -> [any SQLRow] {
            queries.withLock { $0.append((sql, binds)) }
            return try await base.query(sql, binds)
        }
    }

    static func key(_ cells: ArraySlice<SQLCell>) -> [String] {
        cells.map { cell in
            switch cell {
            case .int(let n): String(format: "%020lld", n)
            case .text(let text): text
            default: ""
            }
        }
    }

    static func inOrder(_ keys: [[String]]) -> Bool {
        zip(keys, keys.dropFirst()).allSatisfy { $0.lexicographicallyPrecedes($1) || $0 == $1 }
    }

    /// Why the two nodes above cannot deadlock, checked without luck: every multi-row write
    /// to rows another node may write too goes in key order (in one process, dictionaries
    /// of the same keys happen to iterate alike, so two writers here would rarely collide).
    @Test("a batch writes shared rows in key order: issues, issue users, tags, hourly and per-issue counts", arguments: TestDatabase.allCases)
    func keyOrder(database: TestDatabase) async throws {
        try await database.withStore { store in
            let org = try await store.repositories.organizations.create(slug: Slug("acme"), name: "Acme")
            let project = try await store.repositories.projects.create(organizationID: org.id, slug: Slug("web"), name: "Web", platform: "python")
            let now = Date().timeIntervalSince1970
            try await store.ingest.write(try Self.types.map { try Self.event(project.id, $0, user: 0, at: now) })
            // Events over an hour apart: several hourly and per-issue count rows per issue.
            let records = try (0..<200).map { n in try Self.event(project.id, Self.types[n % Self.types.count], user: n, at: now - Double(n % 5) * 3_700) }
            let events = records.compactMap { record -> EventRecord? in
                if case .event(let event) = record { return event }
                return nil
            }
            let flavor = store.backend.flavor
            let recorded = try await store.backend.writeDirect { db, direct in
                let recording = RecordingStatements(direct)
                try await EventBatchWriter(db: db, direct: recording, flavor: flavor).write(events)
                return (recording.inserts.withLock { $0 }, recording.queries.withLock { $0 })
            }
            let (inserts, queries) = recorded
            func rows(_ table: String) -> [[SQLCell]] { inserts.filter { $0.table == table }.flatMap(\.rows) }
            let tags = rows("issue_tags").map { Self.key($0[0...0] + $0[2...3]) }
            let hours = rows("event_counts").map { Self.key($0[0...3]) }
            let buckets = rows("issue_counts").map { Self.key($0[0...1]) }
            #expect(tags.count > 100 && Self.inOrder(tags))
            #expect(hours.count >= 5 && Self.inOrder(hours))
            #expect(buckets.count > 16 && Self.inOrder(buckets))
            let update = try #require(queries.first { $0.sql.contains("UPDATE issues SET times_seen") })
            let issueIDs = stride(from: 0, to: update.binds.count, by: 6).map { Self.key(update.binds[$0...$0]) }
            #expect(issueIDs.count == Self.types.count && Self.inOrder(issueIDs))
            let users = try #require(queries.first { $0.sql.contains("INSERT INTO issue_users") })
            let pairs = stride(from: 0, to: users.binds.count, by: 2).map { Self.key(users.binds[$0...($0 + 1)]) }
            #expect(pairs.count > 100 && Self.inOrder(pairs))
        }
    }
}
