import Foundation
import PostgresNIO
import SQLKit
import Testing
import TelltaleStore
import TelltaleTestSupport

/// While PostgreSQL is away, calls fail after the backend's connection wait instead of
/// waiting for the pool (which waits without limit), so ingest can answer 503.
@Suite("PostgreSQL away")
struct PostgresUnavailableTests {
    @Test("a call with no server to connect to fails after the connection wait, and the next one too")
    func unreachable() async throws {
        // The discard port: nothing listens there on a test machine, connections are refused.
        let configuration = PostgresClient.Configuration(host: "127.0.0.1", port: 9, username: "telltale", password: nil, database: "telltale", tls: .disable)
        let backend = PostgresBackend(configuration: configuration, leaseTimeout: .milliseconds(300), logger: TestDatabase.logger)
        let store = Store(backend: backend, logger: TestDatabase.logger)
        try await store.whileRunning { store in
            for _ in 0..<2 {
                let clock = ContinuousClock()
                let started = clock.now
                await #expect(throws: DatabaseUnavailableError.self) {
                    try await store.backend.read { db in try await db.raw("SELECT 1").run() }
                }
                // The wait, not the pool's minute-long circuit breaker.
                #expect(clock.now - started < .seconds(5))
            }
            #expect(!backend.changes.isListening)
        }
    }
}
