public import Configuration
import Foundation
public import Hummingbird
public import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import TelltaleAnalysis
import TelltaleAPI
public import TelltaleCore
import TelltaleHTTP
import TelltaleIngest
import TelltaleWeb
public import TelltaleStore

/// What the server tells the operator once it is ready.
public typealias StartupAnnouncement = @Sendable (AppConfiguration, BootstrapReport) -> Void

/// Builds the server from configuration: `main` and the tests both call this.
public func buildApplication(
    reader: ConfigReader,
    logger: Logger = Logger(label: "telltale"),
    announce: @escaping StartupAnnouncement = { _, _ in }
) async throws -> some ApplicationProtocol {
    let configuration = try AppConfiguration(reader: reader)
    return try await buildApplication(configuration: configuration, logger: logger, announce: announce)
}

/// Builds the server from an already validated configuration.
public func buildApplication(
    configuration: AppConfiguration,
    logger: Logger = Logger(label: "telltale"),
    announce: @escaping StartupAnnouncement = { _, _ in }
) async throws -> some ApplicationProtocol {
    let store = try await openStore(configuration, logger: logger)
    let accounts = AccountService(repositories: store.repositories, passwords: BcryptPasswordHasher(), digester: SHA256SecretDigester())

    let registry = PrometheusCollectorRegistry()
    var factory = PrometheusMetricsFactory(registry: registry)
    // Code names metrics with dots (STYLE.md); Prometheus wants underscores.
    // Byte-wise: Foundation's replacingOccurrences was a visible cost where metrics are made often.
    factory.nameAndLabelSanitizer = { name, labels in (String(decoding: name.utf8.map { $0 == UInt8(ascii: ".") ? UInt8(ascii: "_") : $0 }, as: UTF8.self), labels) }
    factory.valueHistogramBuckets["telltale_issue_resolution_seconds"] = ErrorMetrics.resolutionBuckets
    let disk = DiskSpace(path: configuration.database.sqlitePath ?? configuration.dataDirectory)
    let processMetrics = ProcessMetrics(factory: factory, backend: store.backend, disk: disk)

    let router = Router(context: TelltaleRequestContext.self)
    let templates = try WebTemplates()
    router.add(middleware: RequestTelemetryMiddleware(factory: factory))
    // Outside the JSON error mapping, so browsers get the same status as an HTML page.
    router.add(middleware: HTMLErrorPages(templates: templates))
    router.add(middleware: ErrorMiddleware())
    let writer = IngestWriter(repository: store.ingest, logger: logger)
    let queueDepth = Gauge(label: "telltale.ingest.queue_depth", factory: factory)
    let ingest = IngestService(keys: ClientKeyCache(repositories: store.repositories), writer: writer, settings: configuration.ingest, logger: logger)
    OpenAPIController<TelltaleRequestContext>().addRoutes(to: router)
    IngestController(service: ingest, maxBodyBytes: configuration.ingest.maxEnvelopeBytes).addRoutes(to: router)
    let auditReader = AuditReader()
    let api = router.group("api/0").add(middleware: BearerAuthMiddleware(accounts: accounts))
        .add(middleware: AuditMiddleware(repositories: store.repositories, reader: auditReader))
    OrganizationsController(accounts: accounts, repositories: store.repositories, publicURL: configuration.publicURL).addRoutes(to: api)
    EventsController(repositories: store.repositories).addRoutes(to: api)
    IssuesController(repositories: store.repositories, publicURL: configuration.publicURL).addRoutes(to: api)
    StatsController(repositories: store.repositories).addRoutes(to: api)
    ManagementController(accounts: accounts, repositories: store.repositories, publicURL: configuration.publicURL).addRoutes(to: api)
    NativeErrorsController(service: ingest, repositories: store.repositories, maxBodyBytes: configuration.ingest.maxEnvelopeBytes).addRoutes(to: api)
    TestEventController(service: ingest, repositories: store.repositories, publicURL: configuration.publicURL, logger: logger).addRoutes(to: api)
    LiveAPIController(repositories: store.repositories, live: store.backend.changes).addRoutes(to: api)
    AuditController(repositories: store.repositories).addRoutes(to: api)
    let web = router.group().add(middleware: WebSessionMiddleware(accounts: accounts)).add(middleware: AuditMiddleware(repositories: store.repositories))
    let dashboard = Dashboard(accounts: accounts, repositories: store.repositories, templates: templates, publicURL: configuration.publicURL, live: store.backend.changes,
                              llmModel: configuration.llm?.model)
    dashboard.addRoutes(to: web)

    let schemaReady = SchemaGate()
    // Jobs that run on one node at a time compete for leases on PostgreSQL; SQLite has one process.
    let leadership = Leadership(leases: store.backend.flavor == .postgres ? store.repositories.leases : nil, logger: logger)
    let health = HealthCapability(store: store, configuration: configuration, metrics: factory, dashboard: dashboard, templates: templates,
                                  ingest: ingest, leadership: leadership, schemaReady: schemaReady, logger: logger)
    let alerting = AlertingCapability(store: store, configuration: configuration, metrics: factory, dashboard: dashboard, leadership: leadership,
                                      schemaReady: schemaReady, logger: logger)
    let incidents = IncidentsCapability(store: store, configuration: configuration, metrics: factory, dashboard: dashboard, alerting: alerting, schemaReady: schemaReady, logger: logger)
    let analysis = AnalysisCapability(store: store, configuration: configuration, dashboard: dashboard, leadership: leadership, schemaReady: schemaReady, logger: logger)
    let performance = PerformanceCapability(store: store, configuration: configuration, dashboard: dashboard, ingest: ingest, leadership: leadership,
                                            schemaReady: schemaReady, logger: logger)
    let business = BusinessCapability(store: store, configuration: configuration, dashboard: dashboard, ingest: ingest, leadership: leadership,
                                      schemaReady: schemaReady, logger: logger)
    let forwarding = ForwardingCapability(store: store, configuration: configuration, metrics: factory, writer: writer, schemaReady: schemaReady, logger: logger)
    let errorMetrics = ErrorMetricsCapability(store: store, factory: factory, leadership: leadership, schemaReady: schemaReady, logger: logger)
    let capabilities: [any Capability] = [health, alerting, incidents, analysis, performance, business, forwarding, errorMetrics]
    for capability in capabilities { capability.addRoutes(RouteGroups(api: api, web: web, root: router)) }
    OperationsController(
        registry: registry,
        readiness: {
            var report = await readiness(of: store)
            report.ingestQueueDepth = writer.queuedRecords
            report.schedulerLagSeconds = health.schedulerLagSeconds
            report.leading = leadership.led.map(\.rawValue)
            report.liveUpdates = store.backend.changes.isListening
            report.diskFreeBytes = disk.freeBytes()
            report.diskFull = disk.isFull(writerFull: writer.isStorageFull)
            if report.diskFull { report.detail = "the database's disk is full: ingest answers 503 until space is freed" }
            return report
        },
        beforeScrape: {
            await errorMetrics.refresh()
            processMetrics.sample()
            queueDepth.record(writer.queuedRecords)
        }
    ).addRoutes(to: router)
    auditReader.attach(router)

    var app = Application(
        router: router,
        server: .http1(configuration: .init(idleTimeout: .seconds(Int64(configuration.idleTimeoutSeconds)))),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Telltale"),
        // Shut down in reverse: capabilities' services and retention stop, the server finishes requests, the writer drains, the store closes.
        services: [StoreService(store: store), writer, RetentionService(purger: RetentionPurger(projects: store.repositories.projects, retention: store.repositories.retention, onDrop: RetentionService.logDrops(logger)), sessions: store.repositories.sessions, loginFailures: store.repositories.loginFailures, audit: store.repositories.audit, auditRetentionDays: configuration.auditRetentionDays, leadership: leadership, logger: logger),
                   AfterSchema(schemaReady: schemaReady, service: leadership)]
            + capabilities.flatMap(\.services) + scheduledBackups(configuration, logger: logger)
            + diskSpaceWatch(configuration, store: store, disk: disk, schemaReady: schemaReady, logger: logger),
        logger: logger
    )
    app.beforeServerStarts {
        let applied = try await store.migrate()
        // Before any job reads a channel or monitor: their secrets open with this key.
        try await store.adoptSecretsKey(from: configuration, logger: logger)
        await schemaReady.open()
        if !applied.isEmpty { logger.info("Database schema ready", metadata: ["migrations.applied": "\(applied.joined(separator: ", "))"]) }
        let secret = try await store.instanceSecret()
        ingest.setHashSecret(secret)
        for capability in capabilities { capability.prepare(instanceSecret: secret) }
        let report = try await accounts.bootstrap(adminEmail: configuration.adminEmail, adminPassword: configuration.adminPassword)
        announce(configuration, report)
    }
    return app
}

/// The scheduled backup service, when `backup.interval_hours` is set (SQLite only; the
/// configuration refuses it for PostgreSQL).
private func scheduledBackups(_ configuration: AppConfiguration, logger: Logger) -> [any Service] {
    guard let plan = configuration.backups, case .sqlite(let path) = configuration.database else { return [] }
    return [ScheduledBackups(plan: plan, database: path, folder: configuration.backupFolder, logger: logger, now: Date.init)]
}

/// The `disk_space_low` rules' watch, on SQLite (the database's disk is this machine's).
private func diskSpaceWatch(_ configuration: AppConfiguration, store: Store, disk: DiskSpace, schemaReady: SchemaGate,
                            logger: Logger) -> [any Service] {
    guard configuration.database.sqlitePath != nil else { return [] }
    return [AfterSchema(schemaReady: schemaReady,
                        service: DiskSpaceWatch(repositories: store.repositories, freeBytes: disk.freeBytes, now: Date.init, logger: logger))]
}

/// Opens the configured database, creating the data directory for SQLite.
public func openStore(_ configuration: AppConfiguration, logger: Logger) async throws -> Store {
    if case .sqlite(let path) = configuration.database {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory.isEmpty ? "." : directory, withIntermediateDirectories: true)
    }
    return try await Store.open(configuration.database, sqliteSynchronous: configuration.sqliteSynchronous,
                                connectionWait: .seconds(configuration.connectionWaitSeconds), logger: logger)
}

private func readiness(of store: Store) async -> Readiness {
    do {
        let status = try await store.schemaStatus()
        return Readiness(
            databaseReachable: true,
            migrationsCurrent: status.isServable,
            detail: status.isCurrent ? nil : status.isServable
                ? "schema at version \(status.databaseVersion), one ahead of this node (rolling upgrade): upgrade this node next"
                : "schema at version \(status.databaseVersion), expected \(status.binaryVersion)"
        )
    } catch {
        return Readiness(databaseReachable: false, migrationsCurrent: false, detail: "database unreachable")
    }
}
