import Testing
import TelltaleStore
import TelltaleTestSupport

@Suite("Migration dry run")
struct MigrationDryRunTests {
    @Test("the pending migrations are listed with their SQL, and listing them changes nothing", arguments: TestDatabase.allCases)
    func dryRun(database: TestDatabase) async throws {
        try await database.withStore { store in
            // withStore migrates fully: nothing is pending.
            #expect(try await store.pendingMigrations().isEmpty)
            let status = try await store.schemaStatus()
            #expect(status.isCurrent)
            #expect(try await store.pendingMigrations(through: 5).isEmpty)
        }
        let (url, cleanup) = try await database.makeEmptyDatabase()
        defer { Task { await cleanup() } }
        let store = try await Store.open(DatabaseLocation.parse(url: url), connectionWait: TestDatabase.connectionWait, logger: TestDatabase.logger)
        try await store.whileRunning { store in
            _ = try await store.migrate(through: 20)
            let pending = try await store.pendingMigrations()
            #expect(pending.map(\.version) == Array(21...(pending.last?.version ?? 0)) && pending.count >= 3)
            #expect(pending.first?.name == "event forwarders")
            #expect(pending.first?.statements.isEmpty == false)
            // Weekly event tables are PostgreSQL's; on SQLite that step changes nothing.
            #expect(pending.first { $0.name == "events stored by week" }?.statements.isEmpty == (database == .sqlite))
            #expect(try await store.pendingMigrations(through: 21).map(\.version) == [21])
            // Reading them applied nothing.
            #expect(try await store.schemaStatus().databaseVersion == 20)
        }
    }
}
