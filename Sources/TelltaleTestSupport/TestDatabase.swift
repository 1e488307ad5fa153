import Foundation
public import Logging
import PostgresNIO
import TelltaleCore
public import TelltaleStore

/// The databases every storage test runs against.
public enum TestDatabase: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    case postgres

    public var description: String { rawValue }

    /// The server URL for PostgreSQL tests (`TELLTALE_TEST_POSTGRES_URL`); each test gets its
    /// own database on that server.
    public static var postgresURL: String? {
        ProcessInfo.processInfo.environment["TELLTALE_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// How long a test's PostgreSQL call waits for a connection: the parallel suites open
    /// many pools on one server and may wait out its connection limit.
    public static let connectionWait: Duration = .seconds(120)

    /// A logger that stays quiet unless a test fails loudly.
    public static let logger = Logger(label: "telltale.test") { _ in SwiftLogNoOpLogHandler() }

    /// Creates a fresh, empty database of this kind and returns its URL; `cleanup` drops it.
    public func makeEmptyDatabase() async throws -> (url: String, cleanup: @Sendable () async -> Void) {
        switch self {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-test-\(SecretGenerator.hex(byteCount: 8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let path = directory.appendingPathComponent("telltale.db").path
            return ("sqlite://" + path, { try? FileManager.default.removeItem(at: directory) })
        case .postgres:
            guard let serverURL = Self.postgresURL else {
                throw TestDatabaseError(
                    "TELLTALE_TEST_POSTGRES_URL is not set: the PostgreSQL suite cannot run. Use scripts/test.sh, which starts a throwaway PostgreSQL."
                )
            }
            let name = "telltale_test_\(SecretGenerator.hex(byteCount: 6))"
            try await Self.administer(serverURL: serverURL, "CREATE DATABASE \(name)")
            guard var components = URLComponents(string: serverURL) else { throw TestDatabaseError("bad TELLTALE_TEST_POSTGRES_URL") }
            components.path = "/" + name
            return (components.string!, { try? await Self.administer(serverURL: serverURL, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)") })
        }
    }

    /// Runs `body` with a migrated store on a fresh database of this kind, then drops it.
    public func withStore(_ body: @Sendable (Store) async throws -> Void) async throws {
        let (url, cleanup) = try await makeEmptyDatabase()
        do {
            let store = try await Store.open(DatabaseLocation.parse(url: url), connectionWait: Self.connectionWait, logger: Self.logger)
            store.secrets.use(.generate())
            try await store.whileRunning { store in
                try await store.migrate()
                try await body(store)
            }
        } catch {
            await cleanup()
            throw error
        }
        await cleanup()
    }

    /// Runs `body` with two stores on one fresh PostgreSQL database, both migrated: two
    /// nodes of one installation. Drops the database afterwards.
    public static func withTwoNodes(_ body: @Sendable (Store, Store) async throws -> Void) async throws {
        let (url, cleanup) = try await TestDatabase.postgres.makeEmptyDatabase()
        do {
            let location = try DatabaseLocation.parse(url: url)
            let a = try await Store.open(location, connectionWait: connectionWait, logger: logger)
            let b = try await Store.open(location, connectionWait: connectionWait, logger: logger)
            // One installation: both nodes seal with one key.
            let key = SecretsKey.generate()
            a.secrets.use(key)
            b.secrets.use(key)
            try await a.whileRunning { a in
                try await b.whileRunning { b in
                    try await a.migrate()
                    try await b.migrate()
                    try await body(a, b)
                }
            }
        } catch {
            await cleanup()
            throw error
        }
        await cleanup()
    }

    private static func administer(serverURL: String, _ statement: String) async throws {
        guard case .postgres(let configuration) = try DatabaseLocation.parse(url: serverURL) else {
            throw TestDatabaseError("TELLTALE_TEST_POSTGRES_URL must be a postgres:// URL")
        }
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await client.query(PostgresQuery(unsafeSQL: statement))
        }
    }
}

/// A test environment that cannot run a suite.
public struct TestDatabaseError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
