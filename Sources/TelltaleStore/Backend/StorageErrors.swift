import PostgresNIO
import SQLiteNIO
import TelltaleCore

/// Recognises a full disk in either database's errors, so callers see one domain error.
enum StorageErrors {
    static func translate(_ error: any Error) -> any Error {
        if let sqlite = error as? SQLiteError, case .full = sqlite.reason { return StorageFull(detail: sqlite.message) }
        if let sqlite = error as? SQLiteWriteError, sqlite.isFull { return StorageFull(detail: sqlite.message) }
        if let postgres = error as? PSQLError, postgres.serverInfo?[.sqlState] == "53100" {
            return StorageFull(detail: postgres.serverInfo?[.message] ?? "disk full")
        }
        let text = String(describing: error)
        if text.contains("No space left on device") || text.contains("database or disk is full") { return StorageFull(detail: text) }
        return error
    }
}
