public import Logging
import NIOCore
import NIOPosix
public import SQLKit
import SQLiteKit
import ServiceLifecycle
import Synchronization
import TelltaleCore

/// SQLite in WAL mode: one writer connection behind a ``SerialGate`` (so no write ever meets
/// "database is locked" from inside this process) and a few reader connections.
///
/// The writer has a thread for SQLite calls, and write transactions run on that same thread
/// (``ThreadPoolTaskExecutor``), so a transaction's many small steps never queue behind
/// request work nor wait for another thread to wake.
public final class SQLiteBackend: SQLBackend {
    public var flavor: SQLFlavor { .sqlite }

    /// How often the WAL is copied back into the database file.
    static let checkpointInterval = Duration.milliseconds(100)

    private let writer: SQLiteWriterConnection
    let writerThreads: NIOThreadPool
    private let writerExecutor: ThreadPoolTaskExecutor
    private let readers: [SQLiteConnection]
    private let gate = SerialGate()
    private let nextReader = Atomic<Int>(0)
    private let inUse = Atomic<Int>(0)
    private let closed = Atomic<Bool>(false)
    private let logger: Logger
    public let changes = ChangeFeed()
    /// Changes the writer's temporary triggers reported in the transaction under way.
    private let uncommitted = UncommittedChanges()

    private init(writer: SQLiteWriterConnection, writerThreads: NIOThreadPool, readers: [SQLiteConnection], logger: Logger) {
        self.writer = writer
        self.writerThreads = writerThreads
        self.writerExecutor = ThreadPoolTaskExecutor(pool: writerThreads)
        self.readers = readers
        self.logger = logger
    }

    /// How hard SQLite syncs commits to disk.
    public enum Synchronous: String, Sendable, CaseIterable {
        /// Every commit is on disk before it is acknowledged, even across power loss (default).
        case full
        /// Commits survive a crash of the process (kill -9) but the last ones may be lost on
        /// power loss; fewer fsyncs, so faster ingest on slow disks.
        case normal
    }

    /// Opens (creating if needed) the database file at `path`.
    public static func open(path: String, synchronous: Synchronous = .full, readerCount: Int = 4, logger: Logger) async throws -> SQLiteBackend {
        let writerThreads = NIOThreadPool(numberOfThreads: 1)
        writerThreads.start()
        let writer: SQLiteWriterConnection
        do {
            if !(try await writerThreads.runIfActive { ThreadName.setCurrent("sqlite-writer"); return ThreadPriority.raiseCurrentThread() }) {
                logger.info("SQLite writer runs at normal thread priority (raising it needs CAP_SYS_NICE)")
            }
            // Statements and the transactions around them run on `writerThreads`.
            writer = try await writerThreads.runIfActive { try SQLiteWriterConnection(path: path) }
        } catch {
            try? await writerThreads.shutdownGracefully()
            throw error
        }
        do {
            // WAL lets readers run beside the writer; FULL syncs the WAL at each commit so an
            // acknowledged write survives power loss, and group commit keeps that cheap.
            for pragma in ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=\(synchronous.rawValue.uppercased())", "PRAGMA busy_timeout=10000", "PRAGMA foreign_keys=ON",
                           // `run()` copies the WAL back from another connection all the time, so
                           // the writer's own checkpoint (needed to start the WAL over) finds
                           // little left to copy and a commit rarely waits for it.
                           "PRAGMA wal_autocheckpoint=4000", "PRAGMA journal_size_limit=67108864",
                           // A multi-row statement keeps the pages it changed in a statement
                           // journal; on disk (the default) every batch created, wrote and
                           // deleted a temporary file once it passed 64 KiB.
                           "PRAGMA temp_store=MEMORY"] {
                _ = try writer.query(pragma, [SQLCell]())
            }
            var readers: [SQLiteConnection] = []
            for _ in 0..<max(1, readerCount) {
                let reader = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
                try await reader.sql().raw("PRAGMA busy_timeout=10000").run()
                try await reader.sql().raw("PRAGMA foreign_keys=ON").run()
                readers.append(reader)
            }
            return SQLiteBackend(writer: writer, writerThreads: writerThreads, readers: readers, logger: logger)
        } catch {
            writer.close()
            try? await writerThreads.shutdownGracefully()
            throw error
        }
    }

    public func read<Result: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> Result) async throws -> Result {
        let index = nextReader.add(1, ordering: .relaxed).newValue % readers.count
        inUse.add(1, ordering: .relaxed)
        defer { inUse.subtract(1, ordering: .relaxed) }
        return try await body(readers[index].sql(queryLogLevel: .trace))
    }

    public func readDirect<Result: Sendable>(_ body: @escaping @Sendable (any DirectStatements) async throws -> Result) async throws -> Result {
        let index = nextReader.add(1, ordering: .relaxed).newValue % readers.count
        inUse.add(1, ordering: .relaxed)
        defer { inUse.subtract(1, ordering: .relaxed) }
        return try await body(SQLiteDirectStatements(connection: readers[index]))
    }

    public func write<Result: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> Result) async throws -> Result {
        try await writeDirect { db, _ in try await body(db) }
    }

    public func writeDirect<Result: Sendable>(_ body: @escaping @Sendable (any SQLDatabase, any DirectStatements) async throws -> Result) async throws -> Result {
        let database = SQLiteWriterDatabase(connection: writer, logger: logger)
        let direct = SQLiteWriterStatements(connection: writer)
        return try await withTaskExecutorPreference(writerExecutor) {
            try await gate.withGate {
            self.inUse.add(1, ordering: .relaxed)
            defer { self.inUse.subtract(1, ordering: .relaxed) }
            // IMMEDIATE takes the write lock at once, so another process (the CLI) waits on
            // busy_timeout at BEGIN instead of failing at the first write.
            do {
                let result = try await database.inTransaction(begin: "BEGIN IMMEDIATE") { try await body(database, direct) }
                self.changes.deliver(self.uncommitted.take())
                return result
            } catch {
                _ = self.uncommitted.take()
                throw error
            }
            }
        }
    }

    /// Gives the writer connection the function its temporary triggers call and creates
    /// them (the tables they watch exist once the schema is current).
    public func watchChanges() async throws {
        let uncommitted = self.uncommitted
        try writer.install(function: LiveTriggers.sqliteFunction) { wire in
            if let wire { uncommitted.add(wire) }
        }
        try await gate.withGate {
            for trigger in LiveTriggers.sqliteTriggers { _ = try self.writer.query(trigger, [SQLCell]()) }
        }
    }

    public func isUniqueViolation(_ error: any Error) -> Bool {
        if let error = error as? SQLiteWriteError { return error.isUniqueViolation }
        guard let error = error as? SQLiteError else { return false }
        return error.reason == .constraintUniqueFailed || error.reason == .constraintPrimaryKeyFailed || error.reason == .constraint
    }

    public var connectionsInUse: Int { inUse.load(ordering: .relaxed) }

    /// Copies the WAL into the database file every `checkpointInterval` from a reader
    /// connection (PASSIVE: it never blocks the writer), on the other core, until graceful
    /// shutdown; then closes cleanly.
    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: Self.checkpointInterval)
                do {
                    try await self.readers[0].sql().raw("PRAGMA wal_checkpoint(PASSIVE)").run()
                } catch {
                    self.logger.warning("WAL checkpoint failed", metadata: ["error": "\(error)"])
                }
            }
        }
        // The driver refuses work from a cancelled task, so closing runs in a task of its own.
        try await Task { try await self.close() }.value
    }

    /// Waits for the last write, checkpoints the WAL into the main file and closes every connection.
    public func close() async throws {
        guard !closed.exchange(true, ordering: .relaxed) else { return }
        try await gate.withGate {
            do {
                _ = try self.writer.query("PRAGMA wal_checkpoint(TRUNCATE)", [SQLCell]())
            } catch {
                self.logger.warning("WAL checkpoint failed at close", metadata: ["error": "\(error)"])
            }
        }
        for reader in readers { try? await reader.close() }
        writer.close()
        try await writerThreads.shutdownGracefully()
    }
}

/// What the writer's triggers reported in the open transaction; taken at commit or rollback.
/// Its own object, so the trigger function does not hold the backend.
final class UncommittedChanges: Sendable {
    /// The triggers' wire texts, read into changes at commit: a batch updates the same few
    /// issues' rows many times, and a set of texts is cheaper than reading each one.
    private let wires = Mutex<Set<String>>([])

    func add(_ wire: String) { wires.withLock { _ = $0.insert(wire) } }

    func take() -> Set<LiveChange> {
        let taken = wires.withLock { pending in
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
        return Set(taken.compactMap { LiveChange(wire: $0) })
    }
}

/// Statements straight through the SQLite writer connection.
struct SQLiteDirectStatements: DirectStatements {
    let connection: SQLiteConnection

    func insert(into table: String, columns: [String], rows: [[SQLCell]], onConflict conflict: BulkConflict?) async throws {
        guard !rows.isEmpty else { return }
        let sql = DirectStatementsText.insert(table: table, columns: columns, rowCount: rows.count, conflict: conflict)
        try await connection.query(sql, rows.flatMap { $0.map(Self.data) }) { _ in }
    }

    func query(_ sql: String, _ binds: [SQLCell]) async throws -> [any SQLRow] {
        let decoder = SQLiteDataDecoder()
        return try await connection.query(sql, binds.map(Self.data)).map { SQLiteFastRow(row: $0, decoder: decoder) }
    }

    private static func data(_ cell: SQLCell) -> SQLiteData {
        switch cell {
        case .int(let value): .integer(Int(value))
        case .double(let value): .float(value)
        case .text(let value): .text(value)
        case .blob(let value): .blob(ByteBuffer(bytes: value))
        case .bool(let value): .integer(value ? 1 : 0)
        case .null: .null
        }
    }
}
