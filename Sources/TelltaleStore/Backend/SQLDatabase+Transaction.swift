import SQLKit

extension SQLDatabase {
    /// Runs `body` between `begin` and COMMIT on this connection, rolling back when it throws.
    /// `connectionLost` tells whether the connection is gone: then the server has rolled the
    /// transaction back already, and a ROLLBACK sent on the closed connection could wait forever.
    func inTransaction<Result>(begin: String = "BEGIN", connectionLost: () -> Bool = { false },
                               _ body: () async throws -> Result) async throws -> Result {
        try await raw(SQLQueryString(begin)).run()
        do {
            let result = try await body()
            try await raw("COMMIT").run()
            return result
        } catch {
            if !connectionLost() { try? await raw("ROLLBACK").run() }
            throw error
        }
    }
}
