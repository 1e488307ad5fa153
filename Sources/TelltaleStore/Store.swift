import Foundation
public import Logging
import SQLKit
public import TelltaleCore

/// The storage layer: a backend, its repositories and its schema.
public struct Store: Sendable {
    /// The database connection(s).
    public let backend: any SQLBackend
    /// Every repository over that backend.
    public let repositories: Repositories
    /// The ingest write path.
    public let ingest: any IngestRepository
    /// Seals the secrets stored in settings (`secrets.key`).
    public let secrets: SecretCipher
    let logger: Logger

    /// Wraps a backend.
    public init(backend: any SQLBackend, logger: Logger) {
        self.backend = backend
        self.logger = logger
        let secrets = SecretCipher()
        self.secrets = secrets
        self.repositories = Repositories(
            organizations: OrganizationSQLRepository(backend: backend),
            users: UserSQLRepository(backend: backend),
            projects: ProjectSQLRepository(backend: backend),
            tokens: APITokenSQLRepository(backend: backend),
            events: EventReadSQLRepository(backend: backend),
            issues: IssueSQLRepository(backend: backend),
            stats: StatsSQLRepository(backend: backend),
            retention: RetentionSQLRepository(backend: backend),
            sessions: SessionSQLRepository(backend: backend),
            invitations: InvitationSQLRepository(backend: backend),
            loginFailures: LoginFailureSQLRepository(backend: backend),
            monitors: MonitorSQLRepository(backend: backend, cipher: secrets),
            statusPages: StatusPageSQLRepository(backend: backend),
            alerts: AlertSQLRepository(backend: backend, cipher: secrets),
            alertSignals: AlertSignalSQL(backend: backend),
            incidents: IncidentSQLRepository(backend: backend),
            classification: ClassificationSQL(backend: backend),
            analysis: AnalysisSQL(backend: backend),
            leases: JobLeaseSQL(backend: backend),
            performance: PerformanceSQL(backend: backend),
            business: BusinessSQL(backend: backend),
            userReports: UserReportSQL(backend: backend),
            forwarders: ForwarderSQL(backend: backend, cipher: secrets),
            audit: AuditSQL(backend: backend)
        )
        self.ingest = IngestSQLRepository(backend: backend)
    }

    /// Opens the database at `location`. For PostgreSQL nothing connects until the backend
    /// runs, and a call waits at most `connectionWait` for a connection.
    public static func open(_ location: DatabaseLocation, sqliteSynchronous: SQLiteBackend.Synchronous = .full,
                            connectionWait: Duration = .seconds(5), logger: Logger) async throws -> Store {
        switch location {
        case .sqlite(let path):
            return Store(backend: try await SQLiteBackend.open(path: path, synchronous: sqliteSynchronous, logger: logger), logger: logger)
        case .postgres(let configuration):
            return Store(backend: PostgresBackend(configuration: configuration, leaseTimeout: connectionWait, logger: logger), logger: logger)
        }
    }

    /// Applies pending migrations; throws ``SchemaTooNewError`` for a schema from a newer binary.
    @discardableResult
    public func migrate(through version: Int = .max) async throws -> [String] {
        let applied = try await Migrator(backend: backend, logger: logger).migrate(through: version)
        // The retention job keeps weeks ahead too; a node starting after a long pause needs them now.
        if version >= EventWeeksSchema.version { try await EventWeeksSQL(backend: backend).createAhead(now: Date(), lockTimeout: "60s") }
        // The tables the live triggers watch exist only once the schema is current.
        if version >= Migrations.latestVersion { try await backend.watchChanges() }
        return applied
    }

    /// The migrations `migrate(through:)` would apply, with their statements for this
    /// database, read without changing anything (`telltale migrate --dry-run`).
    public func pendingMigrations(through version: Int = .max) async throws -> [(version: Int, name: String, statements: [String])] {
        let status = try await schemaStatus()
        if status.databaseVersion > status.binaryVersion + 1 {
            throw SchemaTooNewError(databaseVersion: status.databaseVersion, binaryVersion: status.binaryVersion)
        }
        return Migrations.all.filter { $0.version > status.databaseVersion && $0.version <= version }
            .map { ($0.version, $0.name, $0.statements(backend.flavor)) }
    }

    /// The schema version in the database and in this binary.
    public func schemaStatus() async throws -> SchemaStatus {
        try await Migrator(backend: backend, logger: logger).status()
    }

    /// This installation's secret for keyed hashes (pseudonymized IPs and user ids): made
    /// once, stored in the database so every node and every restart uses the same one.
    public func instanceSecret() async throws -> String {
        let candidate = SecretGenerator.hex(byteCount: 32)
        return try await backend.write { db in
            try await db.insert(into: "instance_settings").columns("key", "value")
                .values(SQLBind("hash_secret"), SQLBind(candidate))
                .ignoringConflicts(with: ["key"]).run()
            return try await db.select().column("value").from("instance_settings")
                .where("key", .equal, SQLBind("hash_secret")).first(decodingColumn: "value", as: String.self) ?? candidate
        }
    }

    /// Runs `body` with the backend running (PostgreSQL's pool needs that), then closes it.
    /// For commands that are not the long-running server.
    public func whileRunning<Result: Sendable>(_ body: @Sendable (Store) async throws -> Result) async throws -> Result {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await backend.run() }
            do {
                let result = try await body(self)
                group.cancelAll()
                try? await group.waitForAll()
                return result
            } catch {
                group.cancelAll()
                try? await group.waitForAll()
                throw error
            }
        }
    }
}
