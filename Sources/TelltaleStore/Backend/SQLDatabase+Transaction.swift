import SQLKit

extension SQLDatabase {
    /// Runs `body` between `begin` and COMMIT on this connection, rolling back when it throws.
    func inTransaction<Result>(begin: String = "BEGIN", _ body: () async throws -> Result) async throws -> Result {
        try await raw(SQLQueryString(begin)).run()
        do {
            let result = try await body()
            try await raw("COMMIT").run()
            return result
        } catch {
            try? await raw("ROLLBACK").run()
            throw error
        }
    }
}
