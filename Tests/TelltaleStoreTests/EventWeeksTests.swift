import Foundation
import SQLKit
import SentryProtocol
import Testing
import TelltaleCore
import TelltaleStore
import TelltaleTestSupport

/// Events by week on PostgreSQL: weeks made ahead, dropped whole by retention when every
/// project is done with them (off the counts), a week made late taking in what waited for
/// it, an existing table converted in place. SQLite deletes rows to the same effect.
@Suite("Event weeks in storage")
struct EventWeeksTests {
    static let day: TimeInterval = 86_400

    static func event(_ project: ProjectID, _ type: String, id: String = UUID().uuidString, receivedAt: Date) throws -> IngestRecord {
        let eventID = id.replacingOccurrences(of: "-", with: "").lowercased()
        let json = #"{"event_id":"\#(eventID)","level":"error","exception":{"values":[{"type":"\#(type)","value":"v"}]}}"#
        let context = EventContext(envelopeEventID: nil, receivedAt: receivedAt.timeIntervalSince1970)
        let normalized = try EventNormalizer.normalize(try JSONParser.parse(Array(json.utf8)), context: context)
        let grouping = Grouping(digest: { $0.joined(separator: "|") }).group(normalized)
        return .event(EventRecord(projectID: project, summary: EventNormalizer.summarize(normalized), grouping: grouping, payload: [0],
                                  receivedAt: receivedAt.timeIntervalSince1970))
    }

    /// A project "shop" in an organization "acme", keeping the default 30 days.
    static func shop(_ store: Store) async throws -> Project {
        let org = try await store.repositories.organizations.create(slug: Slug("acme"), name: "Acme")
        return try await store.repositories.projects.create(organizationID: org.id, slug: Slug("shop"), name: "Shop", platform: "python")
    }

    static func count(_ store: Store, _ sql: SQLQueryString) async throws -> Int {
        try await store.backend.read { db in try await db.raw(sql).first(decodingColumn: "n", as: Int.self) ?? 0 }
    }

    static func tables(_ store: Store) async throws -> Set<String> {
        try await store.backend.read { db in
            Set(try await db.raw("""
                SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'events'::regclass
                """).all().map { try $0.decode(column: "name", as: String.self) })
        }
    }

    /// A 32-digit hex event id ending in `n`.
    static func hexID(_ n: Int) -> String { String(repeating: "0", count: 31) + "\(n)" }

    static func ms(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000).rounded()) }

    static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1_000) }

    @Test("a week no project keeps goes whole and off the counts; a project keeping longer holds its week; the rest go row by row",
          arguments: TestDatabase.allCases)
    func retention(database: TestDatabase) async throws {
        try await database.withStore { store in
            let shop = try await Self.shop(store)
            let audit = try await store.repositories.projects.create(organizationID: shop.organizationID, slug: Slug("audit"), name: "Audit", platform: "python")
            try await store.repositories.projects.updateSettings(ProjectSettings(retentionDays: 90), for: audit.id)
            // Next week and the one after: both made ahead when the schema was brought up to date.
            let next = EventWeek(containing: Self.ms(Date())).adding(1)
            let after = next.adding(1)
            if database == .postgres { #expect(try await Self.tables(store).isSuperset(of: [next.tableName, after.tableName])) }
            let hour: TimeInterval = 3_600
            try await store.ingest.write([
                try Self.event(shop.id, "A", receivedAt: Self.date(next.start).addingTimeInterval(hour)),
                try Self.event(shop.id, "A", receivedAt: Self.date(next.start).addingTimeInterval(2 * hour)),
                try Self.event(shop.id, "B", receivedAt: Self.date(next.start).addingTimeInterval(30 * hour)),
                try Self.event(shop.id, "A", receivedAt: Self.date(after.start).addingTimeInterval(hour)),
                try Self.event(shop.id, "B", receivedAt: Self.date(after.start).addingTimeInterval(hour)),
                try Self.event(audit.id, "C", receivedAt: Self.date(after.start).addingTimeInterval(hour)),
            ])
            #expect(try await Self.count(store, "SELECT COUNT(*) AS n FROM events") == 6)

            // 31 days after both weeks: the shop keeps 30 days, the audit project 90.
            let now = Self.date(after.end).addingTimeInterval(31 * Self.day)
            let purger = RetentionPurger(projects: store.repositories.projects, retention: store.repositories.retention, batchSize: 2, pause: .zero)
            let result = Dictionary(uniqueKeysWithValues: try await purger.run(now: now, dryRun: false).map { ($0.project.slug.rawValue, $0.counts.rows) })
            #expect(result["shop"]?["events"] == 5)
            #expect(result["audit"]?["events"] ?? 0 == 0)
            #expect(try await Self.count(store, "SELECT COUNT(*) AS n FROM events") == 1)
            // The counts still equal the events they count.
            #expect(try await Self.count(store, "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS n FROM event_counts") == 1)
            #expect(try await Self.count(store, "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS n FROM issue_counts") == 1)
            guard database == .postgres else { return }
            let tables = try await Self.tables(store)
            #expect(!tables.contains(next.tableName), "only the shop had events there: the week went whole")
            #expect(tables.contains(after.tableName), "the audit project keeps its event: the week stays, the shop's rows went one by one")
            #expect(!tables.contains("events_before_weeks"), "the table from before weeks ended with this week and went too")
            #expect(tables.contains(EventWeek(containing: Self.ms(now)).adding(3).tableName))
            #expect(try await Self.count(store, "SELECT COUNT(*) AS n FROM event_ids") == 1)
        }
    }

    @Test("an event received in a week with no table waits in the catch-all and moves in when its week is made")
    func lateWeek() async throws {
        try await TestDatabase.postgres.withStore { store in
            let shop = try await Self.shop(store)
            let far = EventWeek(containing: Self.ms(Date())).adding(10)
            let at = Self.date(far.start).addingTimeInterval(60)
            try await store.ingest.write([try Self.event(shop.id, "A", receivedAt: at)])
            #expect(try await Self.count(store, "SELECT COUNT(*) AS n FROM events_unscheduled") == 1)
            let dropped = try await store.repositories.retention.maintainEventWeeks(now: at, cutoffs: [shop.id: at.addingTimeInterval(-30 * Self.day)])
            #expect(!dropped.tables.contains(far.tableName))
            #expect(try await Self.tables(store).contains(far.tableName))
            #expect(try await Self.count(store, "SELECT COUNT(*) AS n FROM events_unscheduled") == 0)
            #expect(try await Self.count(store, "SELECT COUNT(*) AS n FROM \(ident: far.tableName)") == 1)
            // The week before it had no events and ended: it went; nothing was lost.
            #expect(try await Self.count(store, "SELECT COUNT(*) AS n FROM events") == 1)
        }
    }

    @Test("a week whose table is busy is postponed, not waited on, and goes on the next pass")
    func busyWeek() async throws {
        try await TestDatabase.postgres.withStore { store in
            let shop = try await Self.shop(store)
            let next = EventWeek(containing: Self.ms(Date())).adding(1)
            let now = Self.date(next.end).addingTimeInterval(31 * Self.day)
            let cutoffs = [shop.id: now.addingTimeInterval(-30 * Self.day)]
            // A reader in a long transaction on `events` holds off the drop's lock.
            let (reading, started) = AsyncStream.makeStream(of: Void.self)
            let (finished, finish) = AsyncStream.makeStream(of: Void.self)
            async let reader: Void = store.backend.write { db in
                _ = try await db.raw("SELECT COUNT(*) AS n FROM events").all()
                started.yield()
                for await _ in finished { break }
            }
            for await _ in reading { break }
            let busy = try await store.repositories.retention.maintainEventWeeks(now: now, cutoffs: cutoffs)
            #expect(busy.tables.isEmpty)
            #expect(busy.postponed.contains { $0.hasPrefix(next.tableName + ":") })
            finish.yield()
            try await reader
            let free = try await store.repositories.retention.maintainEventWeeks(now: now, cutoffs: cutoffs)
            #expect(free.tables.contains(next.tableName) && free.postponed.isEmpty)
        }
    }

    @Test("an events table filled before weeks becomes a week range in place: ids continue, duplicates of its events are still refused")
    func conversion() async throws {
        let (url, cleanup) = try await TestDatabase.postgres.makeEmptyDatabase()
        do {
            let store = try await Store.open(DatabaseLocation.parse(url: url), connectionWait: TestDatabase.connectionWait, logger: TestDatabase.logger)
            try await store.whileRunning { store in
                try await store.migrate(through: 22)
                let shop = try await Self.shop(store)
                let now = Self.ms(Date())
                try await store.backend.write { db in
                    for n in 1...3 {
                        try await db.raw("""
                            INSERT INTO events (project_id, event_id, type, level, title, culprit, platform, tags, grouping_hash, timestamp, received_at, payload)
                            VALUES (\(bind: shop.id.rawValue), \(bind: Self.hexID(n)), 'error', 'error', 'E', '', 'python', '{}', 'h', \(bind: now), \(bind: now - Int64(n) * 1_000), decode('00', 'hex'))
                            """).run()
                    }
                    // The newest id is gone: new ids must still come after it.
                    try await db.raw("DELETE FROM events WHERE event_id = \(bind: Self.hexID(1))").run()
                }
                let applied = try await store.migrate(through: 23)
                #expect(applied.count == 1 && applied.first?.hasPrefix("23 events stored by week") == true)
                #expect(try await Self.tables(store).contains("events_before_weeks"))
                #expect(try await Self.count(store, "SELECT COUNT(*) AS n FROM events_before_weeks") == 2)
                #expect(try await Self.count(store, "SELECT COUNT(*) AS n FROM event_ids") == 2)
                try await store.ingest.write([
                    try Self.event(shop.id, "A", id: Self.hexID(2), receivedAt: Date()),
                    try Self.event(shop.id, "A", id: Self.hexID(9), receivedAt: Date()),
                ])
                #expect(try await Self.count(store, "SELECT COUNT(*) AS n FROM events") == 3)
                #expect(try await Self.count(store, "SELECT MIN(id) AS n FROM events WHERE event_id = \(bind: Self.hexID(9))") > 3)
            }
        } catch {
            await cleanup()
            throw error
        }
        await cleanup()
    }
}
