import Foundation
import Logging
import ServiceLifecycle
import TelltaleAnalysis
import TelltaleAPI
import TelltaleCore
import TelltaleStore
import TelltaleWeb

/// Analysis: issue classification by the organizations' rules (applied by the ingest writer
/// when an issue opens), the background detectors (spikes, severity escalation, patterns),
/// correlations and root-cause analyses, with their API and pages.
struct AnalysisCapability: Capability {
    let repositories: Repositories
    let dashboard: Dashboard
    let rootCause: RootCauseService
    let detectors: DetectorService
    let schemaReady: SchemaGate

    init(store: Store, configuration: AppConfiguration, dashboard: Dashboard, leadership: Leadership, schemaReady: SchemaGate, logger: Logger) {
        repositories = store.repositories
        self.dashboard = dashboard
        self.schemaReady = schemaReady
        rootCause = RootCauseService(repositories: store.repositories, llm: configuration.llm, logger: logger)
        detectors = DetectorService(pass: DetectorPass(repositories: store.repositories), leadership: leadership,
                                    interval: .seconds(configuration.detectorIntervalSeconds), logger: logger)
    }

    func addRoutes(_ groups: RouteGroups) {
        ClassificationController(repositories: repositories).addRoutes(to: groups.api)
        AnalysisController(repositories: repositories, rootCause: rootCause).addRoutes(to: groups.api)
        ClassificationDashboard(dashboard: dashboard).addRoutes(to: groups.web)
        AnalysisPages(dashboard: dashboard, rootCause: rootCause).addRoutes(to: groups.web)
    }

    var services: [any Service] { [AfterSchema(schemaReady: schemaReady, service: detectors)] }
}

/// Runs the detector pass at an interval (patterns every tenth pass, at most every ten
/// minutes at the default interval) on the node leading the detectors, logging what it found.
struct DetectorService: Service {
    let pass: DetectorPass
    let leadership: Leadership
    let interval: Duration
    let logger: Logger

    func run() async throws {
        let runs = Counter()
        try await PeriodicJob.led("Analysis detectors", job: .detectors, interval: interval, leadership: leadership, logger: logger) { [pass, logger] now in
            let patterns = await runs.next() % 10 == 0
            let report = try await pass.run(now: now, patterns: patterns)
            if report.spikesOpened + report.escalated > 0 {
                logger.info("Analysis detectors", metadata: [
                    "series.judged": "\(report.seriesJudged)", "spikes.opened": "\(report.spikesOpened)", "spikes.extended": "\(report.spikesExtended)",
                    "issues.escalated": "\(report.escalated)", "patterns": "\(report.patterns)",
                ])
            }
        }.run()
    }

    actor Counter {
        var value = 0
        func next() -> Int {
            defer { value += 1 }
            return value
        }
    }
}
