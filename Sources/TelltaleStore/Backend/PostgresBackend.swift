public import Logging
import NIOCore
import PostgresKit
public import PostgresNIO
public import SQLKit
import ServiceLifecycle
import Synchronization
import TelltaleCore

/// PostgreSQL through PostgresNIO's connection pool (`PostgresClient`).
public final class PostgresBackend: SQLBackend {
    public var flavor: SQLFlavor { .postgres }

    private let client: PostgresClient
    private let logger: Logger
    private let inUse = Atomic<Int>(0)
    public let changes = ChangeFeed(listening: false)

    /// Creates the backend; nothing connects until ``run()`` is running.
    public init(configuration: PostgresClient.Configuration, logger: Logger) {
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
    }

    public func read<Result: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> Result) async throws -> Result {
        try await leased { connection in
            self.inUse.add(1, ordering: .relaxed)
            defer { self.inUse.subtract(1, ordering: .relaxed) }
            return try await body(connection.sql(queryLogLevel: .trace))
        }
    }

    public func readDirect<Result: Sendable>(_ body: @Sendable (any DirectStatements) async throws -> Result) async throws -> Result {
        try await leased { connection in
            self.inUse.add(1, ordering: .relaxed)
            defer { self.inUse.subtract(1, ordering: .relaxed) }
            return try await body(PostgresDirectStatements(connection: connection, logger: self.logger))
        }
    }

    public func write<Result: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> Result) async throws -> Result {
        try await writeDirect { db, _ in try await body(db) }
    }

    public func writeDirect<Result: Sendable>(_ body: @Sendable (any SQLDatabase, any DirectStatements) async throws -> Result) async throws -> Result {
        try await leased { connection in
            self.inUse.add(1, ordering: .relaxed)
            defer { self.inUse.subtract(1, ordering: .relaxed) }
            let database = connection.sql(queryLogLevel: .trace)
            return try await database.inTransaction(connectionLost: { connection.isClosed }) {
                try await body(database, PostgresDirectStatements(connection: connection, logger: self.logger))
            }
        }
    }

    /// How long a caller waits for a connection. The pool waits for the server without limit
    /// (it opens its circuit breaker only after a minute), so while the server is away
    /// requests would hang; bounded, they fail and ingest answers 503 with `Retry-After`.
    static let leaseTimeout: Duration = .seconds(5)

    /// Runs `body` on a pooled connection, or throws ``DatabaseUnavailableError`` when none
    /// is leased within ``leaseTimeout``. Once leased, `body` runs as long as it takes.
    private func leased<Result: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> Result) async throws -> Result {
        try await withoutActuallyEscaping(body) { body in
            let acquired = LeaseFlag()
            return try await withThrowingTaskGroup(of: Result?.self) { group in
                group.addTask {
                    try await self.client.withConnection { connection in
                        acquired.set()
                        return try await body(connection)
                    }
                }
                group.addTask {
                    try await Task.sleep(for: Self.leaseTimeout)
                    return nil
                }
                while let outcome = try await group.next() {
                    if let result = outcome {
                        group.cancelAll()
                        return result
                    }
                    guard acquired.isSet else {
                        group.cancelAll()
                        throw DatabaseUnavailableError(waited: Self.leaseTimeout)
                    }
                }
                throw CancellationError()
            }
        }
    }

    public func isUniqueViolation(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError else { return false }
        return error.serverInfo?[.sqlState] == PostgresError.Code.uniqueViolation.raw
    }

    public var connectionsInUse: Int { inUse.load(ordering: .relaxed) }

    /// Runs the pool and the live-change listener; returns (closing every connection) on
    /// graceful shutdown or cancellation.
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.client.run() }
            group.addTask { await cancelWhenGracefulShutdown { await self.listen() } }
        }
    }

    /// The migration installed the triggers; nothing to do per process.
    public func watchChanges() async throws {}

    /// Holds one pooled connection on `LISTEN`, handing each node's committed changes to
    /// this node's pages; reconnects with backoff when the connection or the server goes.
    private func listen() async {
        var delay: Duration = .milliseconds(250)
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: LiveTriggers.channel) { notifications in
                        // Whatever was committed while no connection listened is unknown: pages look again.
                        self.changes.setListening(true)
                        self.changes.deliver(LiveChange.everything)
                        for try await notification in notifications {
                            guard let change = LiveChange(wire: notification.payload) else { continue }
                            self.changes.deliver(CollectionOfOne(change))
                        }
                    }
                }
                self.changes.setListening(false)
                delay = .milliseconds(250)
            } catch {
                self.changes.setListening(false)
                guard !Task.isCancelled else { return }
                logger.warning("Live change listener lost its database connection; reconnecting", metadata: ["error": "\(String(reflecting: error))"])
                delay = min(delay * 2, .seconds(5))
            }
            try? await Task.sleep(for: delay)
        }
    }
}

/// No database connection could be had in time: the server is down, unreachable or every
/// connection is busy.
public struct DatabaseUnavailableError: Error, CustomStringConvertible {
    public var waited: Duration
    public var description: String { "no PostgreSQL connection within \(waited.components.seconds) s" }
}

/// Set once a lease is granted (read by the timer's side of the race).
private final class LeaseFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}

/// Statements straight through a leased PostgreSQL connection.
struct PostgresDirectStatements: DirectStatements {
    let connection: PostgresConnection
    let logger: Logger

    func insert(into table: String, columns: [String], rows: [[SQLCell]], onConflict conflict: BulkConflict?) async throws {
        guard !rows.isEmpty else { return }
        let sql = Self.statement(table: table, columns: columns, rowCount: rows.count, conflict: conflict) { "$\($0)" }
        try await connection.query(PostgresQuery(unsafeSQL: sql, binds: Self.bindings(rows.joined())), logger: logger)
    }

    func query(_ sql: String, _ binds: [SQLCell]) async throws -> [any SQLRow] {
        // `?` → `$1`, `$2`, …
        var text = ""
        var number = 0
        for character in sql {
            if character == "?" {
                number += 1
                text += "$\(number)"
            } else {
                text.append(character)
            }
        }
        var rows: [any SQLRow] = []
        for try await row in try await connection.query(PostgresQuery(unsafeSQL: text, binds: Self.bindings(binds)), logger: logger) {
            rows.append(row.sql())
        }
        return rows
    }

    private static func bindings(_ cells: some Collection<SQLCell>) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: cells.count)
        for cell in cells {
            switch cell {
            case .int(let value): bindings.append(value)
            case .double(let value): bindings.append(value)
            case .text(let value): bindings.append(value)
            case .blob(let value): bindings.append(ByteBuffer(bytes: value))
            case .bool(let value): bindings.append(value)
            case .null: bindings.appendNull()
            }
        }
        return bindings
    }
}
