import ServiceLifecycle
import TelltaleStore

/// Keeps the database open for the server's lifetime; closes it last on shutdown
/// (after the HTTP server has finished its requests), checkpointing SQLite's WAL.
struct StoreService: Service {
    let store: Store

    func run() async throws {
        try await store.backend.run()
    }
}
