import Foundation
import Logging
import Metrics
import ServiceLifecycle
import TelltaleCore
import TelltaleStore

/// Error metrics on `/metrics` (see ``ErrorMetrics``): brought up to date every 15 seconds
/// and before each scrape, so a scrape reads figures as of that moment.
struct ErrorMetricsCapability: Capability {
    let metrics: ErrorMetrics
    let schemaReady: SchemaGate
    let logger: Logger

    init(store: Store, factory: any MetricsFactory, leadership: Leadership, schemaReady: SchemaGate, logger: Logger) {
        metrics = ErrorMetrics(source: ErrorMetricsSQL(backend: store.backend), factory: factory, leads: { leadership.leads(.errorMetrics) }, logger: logger)
        self.schemaReady = schemaReady
        self.logger = logger
    }

    func addRoutes(_ groups: RouteGroups) {}

    /// Called before a scrape: nothing until the schema is ready.
    func refresh() async {
        guard await schemaReady.isOpen else { return }
        await metrics.refresh(now: Date())
    }

    var services: [any Service] {
        [AfterSchema(schemaReady: schemaReady, service: PeriodicJob(name: "Error metrics", firstRun: .seconds(1), interval: .seconds(15), logger: logger) { [metrics] in
            await metrics.refresh(now: Date())
        })]
    }
}
