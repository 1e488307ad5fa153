import Foundation
import Logging
import Metrics
import ServiceLifecycle
import TelltaleAlerting
import TelltaleAPI
import TelltaleCore
import TelltaleIncidents
import TelltaleStore
import TelltaleWeb

/// Incidents: opened by hand, by the API or by alert rules, escalated by policy to people,
/// channels and on-call schedules, acknowledged or resolved (also by signed one-click links),
/// resolved automatically when their monitors recover or by runbooks; their reports and figures.
struct IncidentsCapability: Capability {
    let repositories: Repositories
    let links: ActionLinks
    let service: IncidentService
    let escalation: EscalationService
    let secrets: SecretBox
    let runner: RunbookRunner
    let schemaReady: SchemaGate
    let dashboard: Dashboard

    init(store: Store, configuration: AppConfiguration, metrics: any MetricsFactory, dashboard: Dashboard, alerting: AlertingCapability, schemaReady: SchemaGate,
         logger: Logger) {
        self.dashboard = dashboard
        secrets = SecretBox(sealing: store.secrets)
        repositories = store.repositories
        links = ActionLinks(publicURL: configuration.publicURL)
        let delivery = alerting.delivery
        service = IncidentService(repositories: store.repositories, links: links, publicURL: configuration.publicURL, emailsPeople: configuration.smtp != nil,
                                  logger: logger, metrics: metrics, delivered: { delivery.notify() })
        escalation = EscalationService(incidents: service, logger: logger)
        runner = RunbookRunner(service: service, secrets: secrets, logger: logger, metrics: metrics,
                               backoffBase: Double(configuration.runbookRetryDelayMilliseconds) / 1000)
        self.schemaReady = schemaReady
    }

    func prepare(instanceSecret: String) {
        links.setSecret(instanceSecret)
    }

    func addRoutes(_ groups: RouteGroups) {
        let escalation = escalation
        IncidentsController(repositories: repositories, service: service, wake: { escalation.wakeup.signal() }).addRoutes(to: groups.api)
        RunbooksController(repositories: repositories, service: service, secrets: secrets).addRoutes(to: groups.api)
        IncidentActionLinks(service: service).addRoutes(to: groups.root)
        IncidentsDashboard(dashboard: dashboard, service: service).addRoutes(to: groups.web)
        OnCallDashboard(dashboard: dashboard, service: service, secrets: secrets).addRoutes(to: groups.web)
    }

    var services: [any Service] {
        [AfterSchema(schemaReady: schemaReady, service: escalation), AfterSchema(schemaReady: schemaReady, service: runner)]
    }
}
