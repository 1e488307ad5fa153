import Foundation
import Logging
import Metrics
import ServiceLifecycle
import TelltaleAPI
import TelltaleCore
import TelltaleHTTP
import TelltaleIngest
import TelltaleMonitors
import TelltaleStore
import TelltaleWeb

/// Health and uptime: monitors and their scheduler, heartbeat pings, status pages,
/// maintenance windows, and their API and dashboard pages.
struct HealthCapability: Capability {
    let service: MonitorService
    let scheduler: MonitorScheduler
    let housekeeping: MonitorHousekeeping
    let http: HTTPChecker
    let repositories: Repositories
    let dashboard: Dashboard
    let templates: WebTemplates
    let publicURL: String
    let ingest: IngestService
    let cronIssues: CronIssueReporter
    let pings: PingWriter

    init(store: Store, configuration: AppConfiguration, metrics: any MetricsFactory, dashboard: Dashboard, templates: WebTemplates, ingest: IngestService, leadership: Leadership,
         schemaReady: SchemaGate, logger: Logger) {
        let repositories = store.repositories
        let cronIssues = CronIssueReporter(repositories: repositories, ingest: ingest, logger: logger)
        // Listeners only enqueue: a slow one never holds up the scheduler.
        let listeners = MonitorEventListeners([{ events in cronIssues.enqueue(events) }])
        self.cronIssues = cronIssues
        let maintenance = MaintenanceCache(statusPages: repositories.statusPages)
        let recorder = MonitorRecorder(monitors: repositories.monitors, maintenance: maintenance, metrics: MonitorMetrics(factory: metrics),
                                       listeners: listeners, logger: logger)
        let http = HTTPChecker()
        let checker = MonitorChecker(http: http, postgres: PostgresMonitorProbe())
        self.http = http
        self.repositories = repositories
        self.dashboard = dashboard
        self.templates = templates
        self.publicURL = configuration.publicURL
        self.ingest = ingest
        let pings = PingWriter(monitors: repositories.monitors, logger: logger)
        self.pings = pings
        service = MonitorService(monitors: repositories.monitors, statusPages: repositories.statusPages, recorder: recorder,
                                 maintenance: maintenance, checker: checker, pings: pings)
        scheduler = MonitorScheduler(monitors: repositories.monitors, recorder: recorder, checker: checker, maintenance: maintenance,
                                     settings: .init(maxInFlight: configuration.monitorConcurrency), ready: { await schemaReady.wait() }, logger: logger)
        let service = service
        ingest.setCheckInHandler { checkIns in await service.applyCheckIns(checkIns, projects: repositories.projects, logger: logger) }
        housekeeping = MonitorHousekeeping(monitors: repositories.monitors, resultRetentionDays: configuration.monitorResultRetentionDays, logger: logger,
                                           leads: { leadership.leads(.monitorHousekeeping) })
    }

    /// The scheduler's latest lag, for `/readyz`.
    var schedulerLagSeconds: Double { service.recorder.metrics.schedulerLagSeconds }

    func addRoutes(_ groups: RouteGroups) {
        MonitorsController(service: service, repositories: repositories, publicURL: publicURL).addRoutes(to: groups.api)
        StatusPagesController(service: service, repositories: repositories, publicURL: publicURL).addRoutes(to: groups.api)
        PingController(service: service).addRoutes(to: groups.root)
        CronCheckInController(service: ingest).addRoutes(to: groups.root)
        StatusPageController(cache: StatusSnapshotCache(service: service), templates: templates, publicURL: publicURL).addRoutes(to: groups.root)
        HealthDashboard(dashboard: dashboard, service: service, publicURL: publicURL).addRoutes(to: groups.web)
    }

    var services: [any Service] { [cronIssues, pings, SchedulerService(scheduler: scheduler, http: http), housekeeping] }
}

/// Runs the scheduler, then closes the HTTP checker's connections.
private struct SchedulerService: Service {
    let scheduler: MonitorScheduler
    let http: HTTPChecker

    func run() async throws {
        try await scheduler.run()
        await http.shutdown()
    }
}

/// Opens once the schema is migrated; background work that reads tables waits for it.
/// Waiting also ends at shutdown, so a server that fails to migrate still stops cleanly.
actor SchemaGate {
    private(set) var isOpen = false

    func open() { isOpen = true }

    func wait() async {
        while !isOpen, !Task.isCancelled, !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}
