import Foundation
import Logging
import ServiceLifecycle
import TelltaleCore
import TelltaleStore

/// Backs the embedded SQLite database up into a folder at the configured interval and keeps
/// the newest few (`backup.*` settings). SQLite has one server process, so this is the one
/// node that runs it; on PostgreSQL the database is backed up with `pg_dump` instead.
struct ScheduledBackups: Service {
    let plan: BackupPlan
    let database: String
    let folder: String
    let logger: Logger
    let now: @Sendable () -> Date

    /// Makes a backup when one is due and deletes the oldest beyond the plan's count;
    /// returns the file made, if any. The service calls it every minute.
    @discardableResult
    func runOnce() async throws -> String? {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let existing = try FileManager.default.contentsOfDirectory(atPath: folder)
        let now = now()
        guard plan.isDue(now: now, existing: existing) else { return nil }
        let name = plan.fileName(at: now)
        let path = (folder as NSString).appendingPathComponent(name)
        let (report, bytes) = try await BackupFile.make(database: database, to: path, actor: "system", logger: logger)
        let deleted = plan.toDelete(existing: existing + [name])
        for old in deleted { try? FileManager.default.removeItem(atPath: (folder as NSString).appendingPathComponent(old)) }
        logger.info("Scheduled backup made", metadata: [
            "file": "\(path)", "bytes": "\(bytes)", "schema.version": "\(report.schemaVersion)", "backups.deleted": "\(deleted.count)",
        ])
        return path
    }

    func run() async throws {
        try await PeriodicJob(name: "Scheduled backup", firstRun: .seconds(60), interval: .seconds(60), logger: logger) {
            try await runOnce()
        }.run()
    }
}
