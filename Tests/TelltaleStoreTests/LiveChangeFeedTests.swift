import Foundation
import SQLKit
import Testing
import TelltaleCore
import TelltaleStore
import TelltaleTestSupport

/// Committed writes to the watched tables reach live pages: in-process on SQLite, through
/// `LISTEN/NOTIFY` to every node on PostgreSQL.
@Suite("Live change feed")
struct LiveChangeFeedTests {
    struct Seed {
        var organization: OrganizationID
        var ann: UserID
        var bob: UserID
    }

    static func seed(_ store: Store) async throws -> Seed {
        let org = try await store.repositories.organizations.create(slug: Slug("acme"), name: "Acme")
        let ann = try await store.repositories.users.create(email: "ann@example.com", name: "Ann", passwordHash: "h", isSystemAdmin: false)
        let bob = try await store.repositories.users.create(email: "bob@example.com", name: "Bob", passwordHash: "h", isSystemAdmin: false)
        return Seed(organization: org.id, ann: ann.id, bob: bob.id)
    }

    /// Files an in-app notification for `user` (a watched table), optionally rolling back.
    static func notify(_ store: Store, _ seed: Seed, _ user: UserID, rollBack: Bool = false) async throws {
        struct RolledBack: Error {}
        do {
            try await store.backend.write { db in
                try await db.raw("""
                    INSERT INTO inbox_notifications (organization_id, user_id, title, severity, message, created_at)
                    VALUES (\(bind: seed.organization.rawValue), \(bind: user.rawValue), 'Disk full', 'high', '{}', 0)
                    """).run()
                if rollBack { throw RolledBack() }
            }
        } catch is RolledBack {}
    }

    @Test("a commit reaches the pages showing its subject; a rolled-back write reaches none", arguments: TestDatabase.allCases)
    func commitsOnly(database: TestDatabase) async throws {
        try await database.withStore { store in
            let seed = try await Self.seed(store)
            await store.backend.changes.untilListening()
            var every = store.backend.changes.everyChange().makeAsyncIterator()
            var annPage = store.backend.changes.changes(.notifications, subjects: [.user(seed.ann)]).makeAsyncIterator()
            try await Self.notify(store, seed, seed.ann, rollBack: true)
            try await Self.notify(store, seed, seed.bob)
            // Commits arrive in order, so the rolled-back write would have come first.
            #expect(await every.next() == LiveChange(.notifications, .user(seed.bob)))
            try await Self.notify(store, seed, seed.ann)
            #expect(await every.next() == LiveChange(.notifications, .user(seed.ann)))
            // Ann's page was woken (once: wakes are coalesced) by her commit, not Bob's.
            try await store.backend.write { db in
                try await db.raw("UPDATE inbox_notifications SET read_at = 1 WHERE user_id = \(bind: seed.ann.rawValue)").run()
            }
            #expect(await every.next() == LiveChange(.notifications, .user(seed.ann)))
            await annPage.next()
        }
    }

    // The latency is printed, not asserted (a loaded CI machine is no benchmark); the time
    // limit fails the test if a commit never arrives.
    @Test("a commit on one PostgreSQL node reaches the other's pages, in order, each one", .timeLimit(.minutes(2)))
    func twoNodes() async throws {
        try await TestDatabase.withTwoNodes { a, b in
            let seed = try await Self.seed(a)
            await a.backend.changes.untilListening()
            await b.backend.changes.untilListening()
            var onB = b.backend.changes.everyChange().makeAsyncIterator()
            var onA = a.backend.changes.everyChange().makeAsyncIterator()
            let clock = ContinuousClock()
            var latencies: [Duration] = []
            for round in 0..<200 {
                let user = round % 2 == 0 ? seed.ann : seed.bob
                let started = clock.now
                try await Self.notify(a, seed, user)
                #expect(await onB.next() == LiveChange(.notifications, .user(user)))
                latencies.append(clock.now - started)
                // The writing node hears its own commits the same way.
                #expect(await onA.next() == LiveChange(.notifications, .user(user)))
            }
            latencies.sort()
            let p99 = latencies[latencies.count * 99 / 100]
            print("live change, commit on node A to node B: p50 \(latencies[latencies.count / 2]), p99 \(p99), max \(latencies.last!)")
        }
    }
}
