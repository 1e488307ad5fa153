import Foundation
public import Logging
import TelltaleIngest
public import TelltaleStore

/// A backup file of the embedded database, plain or (named `.zst`) compressed: made whole and
/// checked first beside its destination, then compressed into place. Used by `telltale
/// backup` and the scheduled backups.
public enum BackupFile {
    /// Writes the backup; returns the report and the size of the file written.
    public static func make(database: String, to destination: String, actor: String, logger: Logger) async throws -> (report: SQLiteBackup.Report, bytes: Int) {
        guard destination.hasSuffix(".zst") else {
            let report = try await SQLiteBackup.backup(database: database, to: destination, actor: actor, logger: logger)
            return (report, report.bytes)
        }
        if FileManager.default.fileExists(atPath: destination) { throw SQLiteBackup.Refusal(description: "\(destination) exists; choose a new file name") }
        let folder = (destination as NSString).deletingLastPathComponent
        let whole = (folder.isEmpty ? "." : folder) + "/.telltale-backup-\(UUID().uuidString).db"
        defer { try? FileManager.default.removeItem(atPath: whole) }
        let report = try await SQLiteBackup.backup(database: database, to: whole, actor: actor, recordedAs: destination, logger: logger)
        try ZstdFile.compress(whole, to: destination)
        return (report, ((try? FileManager.default.attributesOfItem(atPath: destination))?[.size] as? NSNumber)?.intValue ?? 0)
    }
}
