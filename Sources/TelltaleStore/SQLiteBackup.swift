import Foundation
public import Logging
import SQLiteNIO
import TelltaleCore

/// Online backup and restore of the embedded SQLite database. A backup is `VACUUM INTO` from
/// a connection of its own: one read transaction, so the copy is the database as of one
/// moment while the server keeps writing (WAL mode lets both go on), compacted, and then
/// checked with `PRAGMA integrity_check` before it is reported done.
public enum SQLiteBackup {
    /// What a backup or restore produced.
    public struct Report: Sendable {
        public var path: String
        public var bytes: Int
        public var schemaVersion: Int
        public var seconds: Double
        /// The secrets key the copy's stored secrets are sealed under, when it names one.
        public var secretsKeyID: String?
    }

    /// Why a backup or restore was refused.
    public struct Refusal: Error, CustomStringConvertible {
        public var description: String

        public init(description: String) { self.description = description }
    }

    /// Copies the database at `database` to `destination`, which must not exist yet.
    /// `actor` (`cli`, `system`) is recorded in the audit log as having made it, as the file
    /// `recordedAs` (the compressed file's name when this copy is compressed next).
    public static func backup(database: String, to destination: String, actor: String, recordedAs: String? = nil, logger: Logger) async throws -> Report {
        let started = ContinuousClock.now
        guard FileManager.default.fileExists(atPath: database) else { throw Refusal(description: "no database at \(database)") }
        guard !FileManager.default.fileExists(atPath: destination) else { throw Refusal(description: "\(destination) exists; choose a new file name") }
        let source = try await SQLiteConnection.open(storage: .file(path: database), logger: logger)
        do {
            _ = try await source.query("PRAGMA busy_timeout=10000")
            _ = try await source.query("VACUUM INTO ?", [.text(destination)])
            try await recordInAuditLog(source, actor: actor, destination: recordedAs ?? destination)
            try await source.close()
        } catch {
            try? await source.close()
            try? FileManager.default.removeItem(atPath: destination)
            throw error
        }
        let (version, keyID) = try await inspect(destination, logger: logger)
        return Report(path: destination, bytes: size(destination), schemaVersion: version, seconds: seconds(since: started), secretsKeyID: keyID)
    }

    /// The audit log's entry for a backup, when the schema has the log (a database not yet
    /// migrated is backed up all the same).
    static func recordInAuditLog(_ db: SQLiteConnection, actor: String, destination: String) async throws {
        guard try await !db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'").isEmpty else { return }
        let changes = String(decoding: try JSONEncoder().encode([AuditChange(field: "file", before: nil, after: destination)]), as: UTF8.self)
        let insert = "INSERT INTO audit_log (organization_id, at, actor_user_id, actor, action, target_type, target_id, changes) "
            + "VALUES (NULL, ?, NULL, ?, 'backup.create', 'backup', ?, ?)"
        _ = try await db.query(insert, [.integer(Int(Date().millisecondsSince1970)), .text(actor), .text((destination as NSString).lastPathComponent), .text(changes)])
    }

    /// Puts the backup at `backup` in place as the database at `database`: refused when the
    /// data directory holds anything already, or when the backup's schema is newer than this
    /// binary's. The copy is checked before it takes the database's name.
    public static func restore(from backup: String, to database: String, logger: Logger) async throws -> Report {
        let started = ContinuousClock.now
        guard FileManager.default.fileExists(atPath: backup) else { throw Refusal(description: "no backup at \(backup)") }
        let directory = (database as NSString).deletingLastPathComponent
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory)) ?? []
        if !directory.isEmpty, !existing.isEmpty {
            throw Refusal(description: "the data directory \(directory) is not empty; restore into an empty one (move the old one aside first)")
        }
        if directory.isEmpty, FileManager.default.fileExists(atPath: database) {
            throw Refusal(description: "\(database) exists; restore into an empty data directory")
        }
        let (version, keyID) = try await inspect(backup, logger: logger)
        guard version <= Migrations.latestVersion else {
            throw Refusal(description: "the backup's schema is at version \(version) but this Telltale knows only up to \(Migrations.latestVersion); restore it with a newer Telltale")
        }
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        let partial = database + ".restoring"
        try? FileManager.default.removeItem(atPath: partial)
        try FileManager.default.copyItem(atPath: backup, toPath: partial)
        _ = try await check(partial, logger: logger)
        try FileManager.default.moveItem(atPath: partial, toPath: database)
        return Report(path: database, bytes: size(database), schemaVersion: version, seconds: seconds(since: started), secretsKeyID: keyID)
    }

    /// The schema version of a database file that passes the integrity check.
    static func check(_ path: String, logger: Logger) async throws -> Int {
        try await inspect(path, logger: logger).version
    }

    /// The copy checked whole: its schema version and the secrets key it names.
    static func inspect(_ path: String, logger: Logger) async throws -> (version: Int, secretsKeyID: String?) {
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        do {
            let integrity = try await connection.query("PRAGMA integrity_check").compactMap { $0.column("integrity_check")?.string }
            guard integrity == ["ok"] else {
                throw Refusal(description: "\(path) fails the integrity check: \(integrity.prefix(3).joined(separator: "; "))")
            }
            let tables = try await connection.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
            guard !tables.isEmpty else { throw Refusal(description: "\(path) is not a Telltale database (no schema_migrations table)") }
            let version = try await connection.query("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations").first?.column("v")?.integer ?? 0
            let settings = try await connection.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'instance_settings'")
            let keyID = settings.isEmpty ? nil
                : try await connection.query("SELECT value FROM instance_settings WHERE key = 'secrets_key_id'").first?.column("value")?.string
            try await connection.close()
            return (version, keyID)
        } catch {
            try? await connection.close()
            throw error
        }
    }

    static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
