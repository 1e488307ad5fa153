import Foundation
import Logging
import SQLKit

/// The schema's state relative to this binary.
public struct SchemaStatus: Sendable, Equatable {
    /// The highest version applied to the database (0 for an empty one).
    public var databaseVersion: Int
    /// The highest version this binary knows.
    public var binaryVersion: Int

    /// Whether the database is exactly at this binary's version.
    public var isCurrent: Bool { databaseVersion == binaryVersion }

    /// Whether this binary can serve the database: at its version, or one ahead while a
    /// rolling upgrade moves the nodes over (every migration keeps the schema usable by the
    /// binary before it: see `Migrations`).
    public var isServable: Bool { databaseVersion == binaryVersion || databaseVersion == binaryVersion + 1 }
}

/// Refusal to run against a database migrated by a newer Telltale.
public struct SchemaTooNewError: Error, CustomStringConvertible {
    /// Version found in the database.
    public var databaseVersion: Int
    /// Version this binary knows.
    public var binaryVersion: Int

    public var description: String {
        "the database schema is at version \(databaseVersion) but this Telltale knows only up to \(binaryVersion); upgrade Telltale"
    }
}

/// Applies ``Migrations`` in order, each in its own transaction, recording them in `schema_migrations`.
struct Migrator {
    let backend: any SQLBackend
    let logger: Logger

    /// Reads the applied version without changing anything.
    func status() async throws -> SchemaStatus {
        let version = try await backend.read { db in try await Self.appliedVersion(db) }
        return SchemaStatus(databaseVersion: version, binaryVersion: Migrations.latestVersion)
    }

    /// Brings the schema up to date, or up to `version`; returns the migrations it applied,
    /// each with how long it took.
    func migrate(through version: Int = .max) async throws -> [String] {
        try await backend.write { db in
            let bigint = backend.flavor.bigint
            try await db.raw(SQLQueryString(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version " + bigint + " PRIMARY KEY, name TEXT NOT NULL, applied_at " + bigint + " NOT NULL)"
            )).run()
        }
        var applied: [String] = []
        for migration in Migrations.all where migration.version <= version {
            let started = ContinuousClock.now
            let didApply = try await backend.write { db in
                if backend.flavor == .postgres {
                    // Nodes starting together migrate one at a time; the lock ends with the transaction.
                    try await db.raw("SELECT pg_advisory_xact_lock(86000001)").run()
                }
                let current = try await Self.appliedVersion(db)
                // One version ahead is a rolling upgrade in progress; more is a binary too old.
                if current > Migrations.latestVersion + 1 {
                    throw SchemaTooNewError(databaseVersion: current, binaryVersion: Migrations.latestVersion)
                }
                guard current < migration.version else { return false }
                for statement in migration.statements(backend.flavor) {
                    try await db.raw(SQLQueryString(statement)).run()
                }
                try await db.insert(into: "schema_migrations")
                    .columns("version", "name", "applied_at")
                    .values(SQLBind(migration.version), SQLBind(migration.name), SQLBind(Date().millisecondsSince1970))
                    .run()
                return true
            }
            if didApply {
                let seconds = (ContinuousClock.now - started) / .milliseconds(1) / 1_000
                logger.info("Applied migration", metadata: [
                    "migration.version": "\(migration.version)", "migration.name": "\(migration.name)", "migration.seconds": "\(seconds)",
                ])
                applied.append("\(migration.version) \(migration.name) (\((seconds * 100).rounded() / 100) s)")
            }
        }
        return applied
    }

    private static func appliedVersion(_ db: any SQLDatabase) async throws -> Int {
        // Checked first: on PostgreSQL a failed SELECT would abort the surrounding transaction.
        guard try await tableExists("schema_migrations", db) else { return 0 }
        let row = try await db.raw("SELECT MAX(version) AS version FROM schema_migrations").first()
        return try row?.decode(column: "version", as: Int?.self) ?? 0
    }

    private static func tableExists(_ name: String, _ db: any SQLDatabase) async throws -> Bool {
        let query: SQLQueryString = db.dialect.name == "sqlite"
            ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name = \(bind: name)"
            : "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = \(bind: name)"
        return try await db.raw(query).first() != nil
    }
}
