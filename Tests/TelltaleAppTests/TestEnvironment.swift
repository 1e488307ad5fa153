import Configuration
import Foundation
import Logging
import TelltaleApp
import TelltaleCore
import TelltaleStore
import TelltaleTestSupport
import Testing

/// A fresh database plus the configuration reader a test server is built from.
struct TestEnvironment {
    let database: TestDatabase
    let url: String
    let dataDirectory: String
    let cleanup: @Sendable () async -> Void

    static func make(_ database: TestDatabase) async throws -> TestEnvironment {
        let (url, cleanup) = try await database.makeEmptyDatabase()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-app-\(SecretGenerator.hex(byteCount: 6))").path
        return TestEnvironment(database: database, url: url, dataDirectory: directory, cleanup: {
            await cleanup()
            try? FileManager.default.removeItem(atPath: directory)
        })
    }

    func reader(_ extra: [String: String] = [:]) -> ConfigReader {
        var values: [AbsoluteConfigKey: ConfigValue] = [
            "database.url": .init(.string(url), isSecret: true),
            "data.dir": .init(.string(dataDirectory), isSecret: false),
            "admin.email": .init(.string("admin@example.com"), isSecret: false),
            "admin.password": .init(.string("correct horse battery"), isSecret: true),
            "database.connection_wait_seconds": .init(.string("\(TestDatabase.connectionWait.components.seconds)"), isSecret: false),
        ]
        for (key, value) in extra { values[AbsoluteConfigKey(ConfigKey(key).components)] = .init(.string(value), isSecret: false) }
        return ConfigReader(provider: InMemoryProvider(values: values))
    }

    /// A second store on the same database with the server's secrets key (its data directory's key file).
    func openStore() async throws -> Store {
        let store = try await Store.open(DatabaseLocation.parse(url: url), connectionWait: TestDatabase.connectionWait, logger: TestDatabase.logger)
        store.secrets.use(try SecretsKeyFile.loadFile(dataDirectory: dataDirectory, logger: TestDatabase.logger).key)
        return store
    }

    /// Runs `body` with a second store on the same database, as the CLI would be beside the server.
    func withAccounts<Result: Sendable>(_ body: @Sendable (AccountService, Repositories) async throws -> Result) async throws -> Result {
        let store = try await openStore()
        return try await store.whileRunning { store in
            try await body(AccountService(repositories: store.repositories, passwords: TestPasswordHasher(), digester: SHA256SecretDigester()), store.repositories)
        }
    }

    /// The public key of the default project's first client key (what a test sends events with).
    func defaultKey() async throws -> String {
        try await withAccounts { _, repositories in
            let project = try #require(try await repositories.projects.projects(organizationID: nil).first)
            return try #require(try await repositories.projects.keys(projectID: project.id).first).publicKey
        }
    }

    /// Runs `body`, then drops the database whatever happened.
    static func with(_ database: TestDatabase, _ body: (TestEnvironment) async throws -> Void) async throws {
        let environment = try await make(database)
        do {
            try await body(environment)
        } catch {
            await environment.cleanup()
            throw error
        }
        await environment.cleanup()
    }
}
