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

    /// How long a caller waits for a connection. The pool waits for the server without limit
    /// (it opens its circuit breaker only after a minute), so while the server is away
    /// requests would hang; bounded, they fail and ingest answers 503 with `Retry-After`.
    let leaseTimeout: Duration

    /// Creates the backend; nothing connects until ``run()`` is running.
    public init(configuration: PostgresClient.Configuration, leaseTimeout: Duration = .seconds(5), logger: Logger) {
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.leaseTimeout = leaseTimeout
        self.logger = logger
    }

    public func read<Result: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> Result) async throws -> Result {
        try await leased { connection in
            self.inUse.add(1, ordering: .relaxed)
            defer { self.inUse.subtract(1, ordering: .relaxed) }
            return try await body(connection.sql(queryLogLevel: .trace))
        }
    }

    public func readDirect<Result: Sendable>(_ body: @escaping @Sendable (any DirectStatements) async throws -> Result) async throws -> Result {
        try await leased { connection in
            self.inUse.add(1, ordering: .relaxed)
            defer { self.inUse.subtract(1, ordering: .relaxed) }
            return try await body(PostgresDirectStatements(connection: connection, logger: self.logger))
        }
    }

    public func write<Result: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> Result) async throws -> Result {
        try await writeDirect { db, _ in try await body(db) }
    }

    public func writeDirect<Result: Sendable>(_ body: @escaping @Sendable (any SQLDatabase, any DirectStatements) async throws -> Result) async throws -> Result {
        try await leased { connection in
            self.inUse.add(1, ordering: .relaxed)
            defer { self.inUse.subtract(1, ordering: .relaxed) }
            let database = connection.sql(queryLogLevel: .trace)
            return try await database.inTransaction(connectionLost: { connection.isClosed }) {
                try await body(database, PostgresDirectStatements(connection: connection, logger: self.logger))
            }
        }
    }

    /// How long a call may go on once its connection has closed under it. A statement sent on
    /// a connection that has just closed is never answered by the driver; such a call is
    /// abandoned (its task stays suspended) rather than holding up its caller for ever.
    static let closedGrace: Duration = .seconds(2)

    /// Runs `body` on a pooled connection; throws ``DatabaseUnavailableError`` when none is
    /// leased within `leaseTimeout` or the connection is lost and `body` does not return.
    /// Once leased on a live connection, `body` runs as long as it takes.
    private func leased<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> Result) async throws -> Result {
        let call = LeasedCall<Result>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                call.start(continuation)
                let work = Task {
                    do {
                        let result = try await self.client.withConnection { connection in
                            guard call.leased(connection) else { throw CancellationError() }
                            return try await body(connection)
                        }
                        call.finish(.success(result))
                    } catch {
                        call.finish(.failure(error))
                    }
                }
                let watchdog = Task {
                    guard (try? await Task.sleep(for: self.leaseTimeout)) != nil else { return }
                    guard let connection = call.leasedConnection() else {
                        // Finishing first: the work's own cancellation error must not win the race.
                        // Finishing cancels the work (see `onFinish` below).
                        call.finish(.failure(DatabaseUnavailableError(reason: "no PostgreSQL connection within \(self.leaseTimeout)")))
                        return
                    }
                    while !Task.isCancelled, !connection.isClosed {
                        guard (try? await Task.sleep(for: .seconds(1))) != nil else { return }
                    }
                    guard (try? await Task.sleep(for: Self.closedGrace)) != nil else { return }
                    if call.finish(.failure(DatabaseUnavailableError(reason: "the PostgreSQL connection closed during the call"))) {
                        self.logger.warning("Abandoned a database call whose connection closed under it")
                    }
                }
                call.onFinish { watchdog.cancel(); work.cancel() }
            }
        } onCancel: {
            call.finish(.failure(CancellationError()))
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

/// The database could not serve a call: the server is down or unreachable, every
/// connection is busy, or the connection went away during the call.
public struct DatabaseUnavailableError: Error, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}

/// One call racing its lease, its work and its watchdog: the first outcome resumes the
/// caller; a lease granted after the caller gave up runs nothing.
private final class LeasedCall<Result: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Result, any Error>?
        var finished = false
        var connection: PostgresConnection?
        var onFinish: (@Sendable () -> Void)?
    }
    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<Result, any Error>) {
        // Cancelled before it started: nothing will run, so answer at once.
        let cancelled = state.withLock { state in
            if !state.finished { state.continuation = continuation }
            return state.finished
        }
        if cancelled { continuation.resume(throwing: CancellationError()) }
    }

    /// Records the lease; false when the caller has already given up.
    func leased(_ connection: PostgresConnection) -> Bool {
        state.withLock { state in
            guard !state.finished else { return false }
            state.connection = connection
            return true
        }
    }

    func leasedConnection() -> PostgresConnection? {
        state.withLock { $0.connection }
    }

    /// Registers what to do once the call is over (runs at once when it already is).
    func onFinish(_ action: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state in
            if state.finished { return true }
            state.onFinish = action
            return false
        }
        if runNow { action() }
    }

    /// Resumes the caller with `outcome` unless another outcome came first; true when this one did.
    @discardableResult
    func finish(_ outcome: Swift.Result<Result, any Error>) -> Bool {
        let (continuation, action) = state.withLock { state -> (CheckedContinuation<Result, any Error>?, (@Sendable () -> Void)?) in
            guard !state.finished else { return (nil, nil) }
            state.finished = true
            defer { state.continuation = nil; state.onFinish = nil }
            return (state.continuation, state.onFinish)
        }
        guard let continuation else { return false }
        continuation.resume(with: outcome)
        action?()
        return true
    }
}

/// Statements straight through a leased PostgreSQL connection.
struct PostgresDirectStatements: DirectStatements {
    let connection: PostgresConnection
    let logger: Logger

    func insert(into table: String, columns: [String], rows: [[SQLCell]], onConflict conflict: BulkConflict?) async throws {
        guard !rows.isEmpty else { return }
        let sql = DirectStatementsText.insert(table: table, columns: columns, rowCount: rows.count, conflict: conflict, numbered: true)
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
