import TelltaleCore

extension SQLBackend {
    /// Runs an insert or update, turning a unique-constraint violation into `DomainError.conflict`.
    func mapConflict<Result>(_ message: @autoclosure () -> String, _ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch where isUniqueViolation(error) {
            throw DomainError.conflict(message())
        }
    }
}
