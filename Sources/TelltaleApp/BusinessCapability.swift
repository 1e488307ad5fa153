import Foundation
import Logging
import ServiceLifecycle
import TelltaleAPI
import TelltaleBusiness
import TelltaleCore
import TelltaleIngest
import TelltaleStore
import TelltaleWeb

/// Business insight: workflows, business settings, the business-impact summary and page, and
/// the job that watches alert rules' revenue-at-risk thresholds.
struct BusinessCapability: Capability {
    let repositories: Repositories
    let ingest: IngestService
    let maxBodyBytes: Int
    let dashboard: Dashboard
    let job: PeriodicJob
    let schemaReady: SchemaGate

    init(store: Store, configuration: AppConfiguration, dashboard: Dashboard, ingest: IngestService, schemaReady: SchemaGate, logger: Logger) {
        repositories = store.repositories
        self.ingest = ingest
        maxBodyBytes = configuration.ingest.maxEnvelopeBytes
        self.dashboard = dashboard
        self.schemaReady = schemaReady
        let repositories = store.repositories
        let standing = Standing()
        // On the node holding the `business` lease (once a minute by default): a crossing is
        // recorded once, and again only after the revenue came back under.
        job = PeriodicJob.leased("Revenue-at-risk thresholds", lease: "business", interval: .seconds(configuration.revenueCheckIntervalSeconds), leases: repositories.leases, logger: logger) { now in
            var crossings = await standing.crossings
            let recorded = try await RevenueWatcher(repositories: repositories).pass(now: now, standing: &crossings)
            await standing.set(crossings)
            for breach in recorded {
                logger.info("Revenue at risk over a rule's threshold", metadata: ["rule.id": "\(breach.ruleID)", "reason": "\(breach.reason)"])
            }
        }
    }

    func addRoutes(_ groups: RouteGroups) {
        BusinessController(repositories: repositories, service: ingest, maxBodyBytes: maxBodyBytes).addRoutes(to: groups.api)
        BusinessPages(dashboard: dashboard).addRoutes(to: groups.web)
    }

    var services: [any Service] { [AfterSchema(schemaReady: schemaReady, service: job)] }

    /// Which rules' thresholds stand crossed.
    actor Standing {
        var crossings = StandingCrossings()

        func set(_ crossings: StandingCrossings) { self.crossings = crossings }
    }
}
