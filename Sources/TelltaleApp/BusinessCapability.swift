import Foundation
import Logging
import ServiceLifecycle
import TelltaleAlerting
import TelltaleAPI
import TelltaleBusiness
import TelltaleCore
import TelltaleIngest
import TelltaleStore
import TelltaleWeb

/// Business insight and user reports: workflows, funnels, business settings, the business-impact
/// summary and page, the job that watches alert rules' revenue-at-risk thresholds, the report
/// widget's endpoint and the triage queue.
struct BusinessCapability: Capability {
    let repositories: Repositories
    let ingest: IngestService
    let maxBodyBytes: Int
    let dashboard: Dashboard
    let job: PeriodicJob
    let schemaReady: SchemaGate
    let replyToReporter: @Sendable (UserReport, Organization) async -> Void

    init(store: Store, configuration: AppConfiguration, dashboard: Dashboard, ingest: IngestService, leadership: Leadership, schemaReady: SchemaGate, logger: Logger) {
        repositories = store.repositories
        self.ingest = ingest
        maxBodyBytes = configuration.ingest.maxEnvelopeBytes
        self.dashboard = dashboard
        self.schemaReady = schemaReady
        let repositories = store.repositories
        // A resolved report's reporter hears of it by email when the installation has a mail server.
        let smtp = configuration.smtp
        replyToReporter = { report, organization in
            guard let smtp else { return }
            do {
                try await ReportReplyMail.send(report, organization: organization.name, smtp: smtp, now: Date())
                logger.info("Told a reporter their report is resolved", metadata: ["report.id": "\(report.id)"])
            } catch {
                logger.warning("Could not email a reporter", metadata: ["report.id": "\(report.id)", "error": "\(error)"])
            }
        }
        let standing = Standing()
        // On the node leading the `business` job (once a minute by default): a crossing is
        // recorded once, and again only after the revenue came back under.
        job = PeriodicJob.led("Revenue-at-risk thresholds", job: .business, interval: .seconds(configuration.revenueCheckIntervalSeconds), leadership: leadership, logger: logger) { now in
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
        let reports = UserReportsController(repositories: repositories, service: ingest, reply: replyToReporter)
        reports.addPublicRoutes(to: groups.root)
        reports.addRoutes(to: groups.api)
        UserReportPages(dashboard: dashboard, reply: replyToReporter).addRoutes(to: groups.web)
    }

    var services: [any Service] { [AfterSchema(schemaReady: schemaReady, service: job)] }

    /// Which rules' thresholds stand crossed.
    actor Standing {
        var crossings = StandingCrossings()

        func set(_ crossings: StandingCrossings) { self.crossings = crossings }
    }
}
