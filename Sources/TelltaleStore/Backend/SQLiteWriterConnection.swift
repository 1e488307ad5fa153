import NIOCore
import SQLiteNIO
import Synchronization
import VaporCSQLite

/// The SQLite writer connection, called through SQLite's C API on whatever thread the write
/// transaction runs on (the writer's own, see ``ThreadPoolTaskExecutor``). It uses sqlite-nio's
/// copy of the library (its `VaporCSQLite` module), so the process has one SQLite and one set
/// of POSIX file locks for the writer and the readers.
///
/// sqlite-nio prepares every statement anew and sends each through its thread pool and back.
/// On the ingest path preparing alone was a fifth of the writer thread's time (a batch's
/// multi-row statements have hundreds of placeholders), so statements are prepared once,
/// kept per text, and run without leaving the thread.
final class SQLiteWriterConnection: Sendable {
    /// How many prepared statements are kept, and how much memory they may hold together;
    /// the least recently used goes first. A batch's statements differ by their row count, so
    /// the working set is a few dozen texts, but a burst of large batches makes many large
    /// ones (a 200-row insert's program is hundreds of KiB) that would otherwise stay.
    static let cachedStatements = 256
    static let cachedBytes = 4 << 20

    private let state: Mutex<State>

    private struct State: ~Copyable {
        var db: OpaquePointer?
        var statements: [String: CachedStatement] = [:]
        var bytes = 0
        var clock = 0
    }

    private struct CachedStatement {
        let handle: OpaquePointer
        let bytes: Int
        var lastUsed: Int
    }

    /// Opens (creating if needed) the database file at `path`.
    init(path: String) throws(SQLiteWriteError) {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_CREATE | SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_URI | SQLITE_OPEN_EXRESCODE
        let status = sqlite_nio_sqlite3_open_v2(path, &db, flags, nil)
        guard status == SQLITE_OK, let db else {
            let error = SQLiteWriteError(code: status, message: "cannot open the SQLite database at \(path)")
            sqlite_nio_sqlite3_close_v2(db)
            throw error
        }
        // Waits for another process's lock (the CLI's) from the first statement on, the
        // pragmas that set up the connection included.
        sqlite_nio_sqlite3_busy_timeout(db, 10_000)
        state = Mutex(State(db: db))
    }

    deinit {
        state.withLock { Self.closeHandle(&$0) }
    }

    /// Runs `sql` (its first statement; binds in order) and returns its rows.
    func query<Bind: SQLiteBindable>(_ sql: String, _ binds: [Bind]) throws(SQLiteWriteError) -> [SQLiteWriterRow] {
        try state.withLock { state throws(SQLiteWriteError) -> [SQLiteWriterRow] in
            guard let db = state.db else { throw SQLiteWriteError(code: SQLITE_MISUSE, message: "the SQLite writer connection is closed") }
            let (statement, kept) = try Self.statement(for: sql, in: &state, db: db)
            defer {
                if kept {
                    sqlite_nio_sqlite3_reset(statement)
                    sqlite_nio_sqlite3_clear_bindings(statement)
                } else {
                    sqlite_nio_sqlite3_finalize(statement)
                }
            }
            for (index, bind) in binds.enumerated() {
                let status = bind.bind(to: statement, at: Int32(index + 1))
                guard status == SQLITE_OK else { throw SQLiteWriteError(db, status) }
            }
            var rows: [SQLiteWriterRow] = []
            var columns: SQLiteWriterRow.Columns?
            while true {
                let status = sqlite_nio_sqlite3_step(statement)
                if status == SQLITE_DONE { return rows }
                guard status == SQLITE_ROW else { throw SQLiteWriteError(db, status) }
                let names = columns ?? SQLiteWriterRow.Columns(statement)
                columns = names
                rows.append(SQLiteWriterRow(columns: names, values: (0..<Int32(names.names.count)).map { Self.value(statement, $0) }))
            }
        }
    }

    /// Registers `name(text)` for this connection's SQL, calling `body` with its argument.
    func install(function name: String, _ body: @escaping @Sendable (String?) -> Void) throws(SQLiteWriteError) {
        try state.withLock { state throws(SQLiteWriteError) in
            guard let db = state.db else { throw SQLiteWriteError(code: SQLITE_MISUSE, message: "the SQLite writer connection is closed") }
            let box = Unmanaged.passRetained(FunctionBox(body)).toOpaque()
            let status = sqlite_nio_sqlite3_create_function_v2(db, name, 1, SQLITE_UTF8, box, { context, count, arguments in
                let box = Unmanaged<FunctionBox>.fromOpaque(sqlite_nio_sqlite3_user_data(context)!).takeUnretainedValue()
                let text = count > 0 ? arguments?[0].flatMap { sqlite_nio_sqlite3_value_text($0) }.map { String(cString: $0) } : nil
                box.body(text)
                sqlite_nio_sqlite3_result_null(context)
            }, nil, nil, { box in
                // SQLite calls this when the function is replaced or the connection closes.
                if let box { Unmanaged<FunctionBox>.fromOpaque(box).release() }
            })
            guard status == SQLITE_OK else { throw SQLiteWriteError(db, status) }
        }
    }

    /// The memory the kept statements hold, as SQLite counts it.
    var keptStatementBytes: Int { state.withLock { $0.bytes } }

    /// Finalizes the kept statements and closes the connection.
    func close() {
        state.withLock { Self.closeHandle(&$0) }
    }

    private static func closeHandle(_ state: inout State) {
        for statement in state.statements.values { sqlite_nio_sqlite3_finalize(statement.handle) }
        state.statements.removeAll()
        state.bytes = 0
        sqlite_nio_sqlite3_close_v2(state.db)
        state.db = nil
    }

    /// The kept statement for `sql`, prepared now if it is not kept yet; `kept` is false for
    /// a statement run once and finalized (schema changes and pragmas: migrations and setup).
    private static func statement(for sql: String, in state: inout State, db: OpaquePointer) throws(SQLiteWriteError) -> (OpaquePointer, kept: Bool) {
        state.clock += 1
        // One hash of the text per run: a batch's insert text is a few KiB.
        if let index = state.statements.index(forKey: sql) {
            state.statements.values[index].lastUsed = state.clock
            return (state.statements.values[index].handle, true)
        }
        var handle: OpaquePointer?
        let status = sqlite_nio_sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, nil)
        guard status == SQLITE_OK else { throw SQLiteWriteError(db, status) }
        // An empty text (only a comment) prepares to no statement.
        guard let handle else { throw SQLiteWriteError(code: SQLITE_MISUSE, message: "no SQL statement in the text") }
        guard !runsOnce(sql) else { return (handle, false) }
        let bytes = Int(sqlite_nio_sqlite3_stmt_status(handle, SQLITE_STMTSTATUS_MEMUSED, 0))
        while !state.statements.isEmpty, state.statements.count >= cachedStatements || state.bytes + bytes > cachedBytes,
              let oldest = state.statements.min(by: { $0.value.lastUsed < $1.value.lastUsed }) {
            sqlite_nio_sqlite3_finalize(oldest.value.handle)
            state.bytes -= oldest.value.bytes
            state.statements[oldest.key] = nil
        }
        state.statements[sql] = CachedStatement(handle: handle, bytes: bytes, lastUsed: state.clock)
        state.bytes += bytes
        return (handle, true)
    }

    /// Whether `sql` changes the schema or the connection's settings: such a text runs once.
    private static func runsOnce(_ sql: String) -> Bool {
        let word = sql.utf8.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D }.prefix { $0 != 0x20 && $0 != 0x0A && $0 != 0x09 && $0 != 0x0D }
        return ["CREATE", "DROP", "ALTER", "PRAGMA"].contains(String(decoding: word, as: UTF8.self).uppercased())
    }

    private static func value(_ statement: OpaquePointer, _ column: Int32) -> SQLiteData {
        switch sqlite_nio_sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER: .integer(Int(sqlite_nio_sqlite3_column_int64(statement, column)))
        case SQLITE_FLOAT: .float(sqlite_nio_sqlite3_column_double(statement, column))
        case SQLITE_TEXT:
            .text(sqlite_nio_sqlite3_column_text(statement, column).map {
                String(decoding: UnsafeBufferPointer(start: $0, count: Int(sqlite_nio_sqlite3_column_bytes(statement, column))), as: UTF8.self)
            } ?? "")
        case SQLITE_BLOB:
            .blob(ByteBuffer(bytes: UnsafeRawBufferPointer(start: sqlite_nio_sqlite3_column_blob(statement, column),
                                                           count: Int(sqlite_nio_sqlite3_column_bytes(statement, column)))))
        default: .null
        }
    }
}

/// The Swift closure behind a function registered with SQLite, kept alive by SQLite.
private final class FunctionBox: Sendable {
    let body: @Sendable (String?) -> Void
    init(_ body: @escaping @Sendable (String?) -> Void) { self.body = body }
}

/// An error the SQLite writer connection reported, with SQLite's extended result code.
struct SQLiteWriteError: Error, CustomStringConvertible {
    var code: Int32
    var message: String

    init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    init(_ db: OpaquePointer, _ status: Int32) {
        self.init(code: sqlite_nio_sqlite3_extended_errcode(db), message: sqlite_nio_sqlite3_errmsg(db).map { String(cString: $0) } ?? "SQLite error \(status)")
    }

    var description: String { "SQLite error \(code): \(message)" }

    /// A UNIQUE or PRIMARY KEY constraint failed (extended codes 2067 and 1555).
    var isUniqueViolation: Bool { code == 2067 || code == 1555 || code == SQLITE_CONSTRAINT }

    /// The disk or the database is full.
    var isFull: Bool { code & 0xFF == SQLITE_FULL }
}

/// A value that binds to a statement's placeholder.
protocol SQLiteBindable: Sendable {
    func bind(to statement: OpaquePointer, at index: Int32) -> Int32
}

/// Tells SQLite to copy text and blobs at bind time.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

extension SQLiteData: SQLiteBindable {
    func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        switch self {
        case .integer(let value): sqlite_nio_sqlite3_bind_int64(statement, index, Int64(value))
        case .float(let value): sqlite_nio_sqlite3_bind_double(statement, index, value)
        case .text(let value): SQLCell.bindText(value, statement, index)
        case .blob(let buffer):
            buffer.readableBytes == 0 ? sqlite_nio_sqlite3_bind_zeroblob(statement, index, 0)
                : buffer.withUnsafeReadableBytes { sqlite_nio_sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), transient) }
        case .null: sqlite_nio_sqlite3_bind_null(statement, index)
        }
    }
}

extension SQLCell: SQLiteBindable {
    func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        switch self {
        case .int(let value): sqlite_nio_sqlite3_bind_int64(statement, index, value)
        case .double(let value): sqlite_nio_sqlite3_bind_double(statement, index, value)
        case .text(let value): Self.bindText(value, statement, index)
        case .blob(let value):
            // A blob bound from no address is NULL to SQLite, so an empty one is bound as such.
            value.isEmpty ? sqlite_nio_sqlite3_bind_zeroblob(statement, index, 0)
                : value.withUnsafeBytes { sqlite_nio_sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), transient) }
        case .bool(let value): sqlite_nio_sqlite3_bind_int64(statement, index, value ? 1 : 0)
        case .null: sqlite_nio_sqlite3_bind_null(statement, index)
        }
    }

    static func bindText(_ text: String, _ statement: OpaquePointer, _ index: Int32) -> Int32 {
        var text = text
        return text.withUTF8 { utf8 in
            // Text bound from no address is NULL to SQLite; an empty string is bound from a literal.
            guard let start = utf8.baseAddress, !utf8.isEmpty else { return sqlite_nio_sqlite3_bind_text64(statement, index, "", 0, transient, UInt8(SQLITE_UTF8)) }
            return start.withMemoryRebound(to: CChar.self, capacity: utf8.count) {
                sqlite_nio_sqlite3_bind_text64(statement, index, $0, UInt64(utf8.count), transient, UInt8(SQLITE_UTF8))
            }
        }
    }
}
