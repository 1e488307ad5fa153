import Foundation
import Logging
import Metrics
import ServiceLifecycle
import TelltaleAlerting
import TelltaleAPI
import TelltaleCore
import TelltaleStore
import TelltaleWeb

/// Alerting: rules evaluated over stored events and monitor changes, the durable
/// notification queue and its delivery, and their API.
struct AlertingCapability: Capability {
    let repositories: Repositories
    let evaluator: AlertEvaluator
    let delivery: NotificationDelivery
    let schemaReady: SchemaGate
    let smtpConfigured: Bool
    let retention: AlertHistoryRetention

    let dashboard: Dashboard

    init(store: Store, configuration: AppConfiguration, metrics: any MetricsFactory, dashboard: Dashboard, leadership: Leadership, schemaReady: SchemaGate, logger: Logger) {
        self.dashboard = dashboard
        repositories = store.repositories
        let delivery = NotificationDelivery(alerts: store.repositories.alerts, pagerDutyURL: configuration.pagerDutyURL,
                                            smtp: configuration.smtp, logger: logger, metrics: metrics)
        self.delivery = delivery
        evaluator = AlertEvaluator(repositories: store.repositories, publicURL: configuration.publicURL, logger: logger, metrics: metrics,
                                   emailsPeople: configuration.smtp != nil, delivered: { delivery.notify() })
        self.schemaReady = schemaReady
        smtpConfigured = configuration.smtp != nil
        retention = AlertHistoryRetention(alerts: store.repositories.alerts, days: configuration.alertHistoryDays, leadership: leadership, logger: logger)
    }

    func addRoutes(_ groups: RouteGroups) {
        AlertsController(repositories: repositories, delivery: delivery, smtpConfigured: smtpConfigured).addRoutes(to: groups.api)
        AlertsDashboard(dashboard: dashboard, smtpConfigured: smtpConfigured, sendTest: { [delivery] in await delivery.sendNow($0, $1) }).addRoutes(to: groups.web)
    }

    var services: [any Service] {
        let services: [any Service] = [evaluator, delivery, retention]
        return services.map { AfterSchema(schemaReady: schemaReady, service: $0) }
    }
}

/// Starts a service once the schema is migrated.
struct AfterSchema: Service {
    let schemaReady: SchemaGate
    let service: any Service

    func run() async throws {
        await schemaReady.wait()
        try await service.run()
    }
}
