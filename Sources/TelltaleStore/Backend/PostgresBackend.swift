public import Logging
import PostgresKit
public import PostgresNIO
public import SQLKit
import ServiceLifecycle
import Synchronization

/// PostgreSQL through PostgresNIO's connection pool (`PostgresClient`).
public final class PostgresBackend: SQLBackend {
    public var flavor: SQLFlavor { .postgres }

    private let client: PostgresClient
    private let logger: Logger
    private let inUse = Atomic<Int>(0)

    /// Creates the backend; nothing connects until ``run()`` is running.
    public init(configuration: PostgresClient.Configuration, logger: Logger) {
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
    }

    public func read<Result: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> Result) async throws -> Result {
        try await client.withConnection { connection in
            self.inUse.add(1, ordering: .relaxed)
            defer { self.inUse.subtract(1, ordering: .relaxed) }
            return try await body(connection.sql(queryLogLevel: .trace))
        }
    }

    public func write<Result: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> Result) async throws -> Result {
        try await client.withConnection { connection in
            self.inUse.add(1, ordering: .relaxed)
            defer { self.inUse.subtract(1, ordering: .relaxed) }
            let database = connection.sql(queryLogLevel: .trace)
            try await database.raw("BEGIN").run()
            do {
                let result = try await body(database)
                try await database.raw("COMMIT").run()
                return result
            } catch {
                try? await database.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    public func isUniqueViolation(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError else { return false }
        return error.serverInfo?[.sqlState] == PostgresError.Code.uniqueViolation.raw
    }

    public var connectionsInUse: Int { inUse.load(ordering: .relaxed) }

    /// Runs the pool; returns (closing every connection) on graceful shutdown or cancellation.
    public func run() async throws {
        await client.run()
    }
}
