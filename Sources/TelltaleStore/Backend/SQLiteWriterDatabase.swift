import Logging
import NIOCore
import SQLKit
import SQLiteKit

/// SQLKit on the SQLite writer connection, running each statement in one step on the
/// writer's thread. SQLiteKit's own wrapper goes through an event-loop future and hands
/// every result row to the event loop separately (one thread wake-up per row); on the
/// ingest path that was a few hundred wake-ups per second for nothing.
struct SQLiteWriterDatabase: SQLDatabase {
    let connection: SQLiteConnection
    let encoder = SQLiteDataEncoder()
    let decoder = SQLiteDataDecoder()

    var logger: Logger { connection.logger }
    var eventLoop: any EventLoop { connection.eventLoop }
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
        let decoder = self.decoder
        // SQLiteConnection's own async query: the statement and its rows stay on the pool thread.
        try await connection.query(sql, data) { row in onRow(row.sql(decoder: decoder)) }
    }
}
