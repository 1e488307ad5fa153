public import SQLKit

/// A database the repositories talk to: reads on any connection, writes in a transaction
/// through the one path that may write (on SQLite, a single serialized writer).
public protocol SQLBackend: Sendable {
    /// The dialect, for the few statements that differ.
    var flavor: SQLFlavor { get }

    /// Runs `body` on a connection for reading.
    func read<Result: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> Result) async throws -> Result

    /// Runs `body` in a transaction; commits when it returns, rolls back when it throws.
    func write<Result: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> Result) async throws -> Result

    /// Like ``write(_:)``, with driver-level statements for the hottest ones.
    func writeDirect<Result: Sendable>(_ body: @escaping @Sendable (any SQLDatabase, any DirectStatements) async throws -> Result) async throws -> Result

    /// Runs `body` with driver-level statements on a connection for reading (wide reads
    /// decode faster without SQLKit's `Decodable` path).
    func readDirect<Result: Sendable>(_ body: @escaping @Sendable (any DirectStatements) async throws -> Result) async throws -> Result

    /// Whether an error is a unique-constraint violation (an insert of a duplicate).
    func isUniqueViolation(_ error: any Error) -> Bool

    /// Connections currently leased (for the pool-use metric).
    var connectionsInUse: Int { get }

    /// Keeps the backend's connections alive until graceful shutdown, then closes them cleanly.
    func run() async throws

    /// Committed changes that live pages show, from this node or (on PostgreSQL) any node.
    var changes: ChangeFeed { get }

    /// Starts reporting committed changes to ``changes``; called once the schema is current.
    func watchChanges() async throws
}
