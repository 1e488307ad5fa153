import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit

/// SQLKit on the SQLite writer connection (``SQLiteWriterConnection``): each statement runs
/// in one step on the thread the write transaction runs on.
struct SQLiteWriterDatabase: SQLDatabase {
    let connection: SQLiteWriterConnection
    let logger: Logger
    let encoder = SQLiteDataEncoder()

    var eventLoop: any EventLoop { MultiThreadedEventLoopGroup.singleton.any() }
    var dialect: any SQLDialect { SQLiteDialect() }
    var queryLogLevel: Logger.Level? { .trace }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        promise.completeWithTask { try await self.execute(sql: query, onRow) }
        return promise.futureResult
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        let (sql, binds) = serialize(query)
        logger.trace("Executing query", metadata: ["sql": .string(sql)])
        let data = try binds.map { try encoder.encode($0) }
        for row in try connection.query(sql, data) { onRow(row) }
    }
}

/// Statements straight through the SQLite writer connection.
struct SQLiteWriterStatements: DirectStatements {
    let connection: SQLiteWriterConnection

    func insert(into table: String, columns: [String], rows: [[SQLCell]], onConflict conflict: BulkConflict?) async throws {
        guard !rows.isEmpty else { return }
        let sql = DirectStatementsText.insert(table: table, columns: columns, rowCount: rows.count, conflict: conflict)
        _ = try connection.query(sql, Array(rows.joined()))
    }

    func query(_ sql: String, _ binds: [SQLCell]) async throws -> [any SQLRow] {
        try connection.query(sql, binds)
    }
}
