import Foundation
import Logging
import Metrics
import ServiceLifecycle
import TelltaleAPI
import TelltaleCore
import TelltaleForwarding
import TelltaleIngest
import TelltaleStore

/// Forwarding: projects' events sent on to Sentry, Datadog, New Relic and webhooks, through
/// the notification queue, and the forwarders' API.
struct ForwardingCapability: Capability {
    let repositories: Repositories
    let forwarding: Forwarding
    let schemaReady: SchemaGate

    init(store: Store, configuration: AppConfiguration, metrics: any MetricsFactory, writer: IngestWriter, schemaReady: SchemaGate, logger: Logger) {
        repositories = store.repositories
        forwarding = Forwarding(repositories: store.repositories, publicURL: configuration.publicURL, logger: logger, metrics: metrics,
                                maxDelaySeconds: configuration.forwardingMaxDelaySeconds, ingestBusy: { writer.busy() })
        self.schemaReady = schemaReady
    }

    func addRoutes(_ groups: RouteGroups) {
        ForwardersController(repositories: repositories, changed: { [forwarding] in forwarding.notify() }).addRoutes(to: groups.api)
    }

    var services: [any Service] { [AfterSchema(schemaReady: schemaReady, service: forwarding)] }
}
