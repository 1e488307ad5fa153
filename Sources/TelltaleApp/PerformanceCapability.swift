import Foundation
import Logging
import ServiceLifecycle
import TelltaleAPI
import TelltaleCore
import TelltaleIngest
import TelltalePerformance
import TelltaleStore
import TelltaleWeb

/// Performance: transactions, spans, web vitals and release health, from the statistics the
/// ingest writer keeps; the rollup job; regression detection; the browser script; the API and pages.
struct PerformanceCapability: Capability {
    let repositories: Repositories
    let dashboard: Dashboard
    let job: PerformanceJob
    let schemaReady: SchemaGate

    init(store: Store, configuration: AppConfiguration, dashboard: Dashboard, ingest: IngestService, leadership: Leadership, schemaReady: SchemaGate, logger: Logger) {
        repositories = store.repositories
        self.dashboard = dashboard
        self.schemaReady = schemaReady
        job = PerformanceJob(repositories: store.repositories, ingest: ingest, interval: .seconds(configuration.rollupIntervalSeconds), leadership: leadership, logger: logger)
    }

    func addRoutes(_ groups: RouteGroups) {
        PerformanceController(repositories: repositories).addRoutes(to: groups.api)
        PerformancePages(dashboard: dashboard).addRoutes(to: groups.web)
        BrowserScript().addRoutes(to: groups.root)
    }

    var services: [any Service] { [AfterSchema(schemaReady: schemaReady, service: job)] }
}

/// On the node leading it: rolls minute statistics into hours and days every interval,
/// looks for regressions every ten minutes (opening an issue for each, at most once in six
/// hours per transaction), and forgets old statistics every hour.
struct PerformanceJob: Service {
    let repositories: Repositories
    let ingest: IngestService
    let interval: Duration
    let leadership: Leadership
    let logger: Logger

    func run() async throws {
        let state = State()
        try await PeriodicJob.led("Performance rollups", job: .performance, interval: interval, leadership: leadership, logger: logger) { [self] now in
            var rolled = 0
            while true {
                let n = try await repositories.performance.rollUp(before: now.addingTimeInterval(-60), limit: 5000)
                rolled += n
                if n < 5000 { break }
            }
            if await state.due("forget", every: 3600, now: now) { try await repositories.performance.forget(now: now) }
            if await state.due("regressions", every: 600, now: now) { try await regressions(now: now, state: state) }
            if await state.due("thresholds", every: 60, now: now) { try await thresholds(now: now, state: state) }
            if rolled > 0 { logger.debug("Performance rollups", metadata: ["minute_rows": "\(rolled)"]) }
        }.run()
    }

    func regressions(now: Date, state: State) async throws {
        let finder = RegressionFinder(repositories: repositories)
        let since = Int64(now.timeIntervalSince1970 * 1000) - PerformanceTally.hour
        for projectID in try await repositories.performance.projectsWithTransactions(since: since) {
            guard let project = try await repositories.projects.project(id: ProjectID(projectID)) else { continue }
            for regression in try await finder.find(project, kind: .transaction, now: now) {
                guard await state.due("regression:\(projectID):\(regression.name)", every: 6 * 3600, now: now) else { continue }
                do {
                    let ids = try await ingest.ingest(events: [RegressionFinder.event(regression, kind: .transaction)], project: project,
                                                      organizationRateLimit: nil, clientIP: nil)
                    var issueID: Int64?
                    if let id = ids.first { issueID = try await repositories.events.event(projectID: project.id, eventID: id)?.issueID }
                    try await repositories.performance.recordRegression(
                        projectID: projectID, issueID: issueID, title: "Regression: \(regression.name)",
                        detail: "p95 \(Int(regression.baselineP95.rounded())) ms → \(Int(regression.currentP95.rounded())) ms (\(String(format: "%.1f", regression.ratio))×)",
                        at: now)
                    logger.info("Performance regression", metadata: [
                        "project.id": "\(projectID)", "transaction": "\(regression.name)", "ratio": "\(String(format: "%.2f", regression.ratio))",
                    ])
                } catch {
                    logger.error("Performance regression not reported", metadata: ["project.id": "\(projectID)", "error": "\(error)"])
                }
            }
        }
    }

    /// Reports the transactions (or pages) that crossed a rule's performance threshold since
    /// the last pass.
    func thresholds(now: Date, state: State) async throws {
        var standing = await state.crossed
        let recorded = try await ThresholdWatcher(repositories: repositories).pass(now: now, standing: &standing)
        await state.setCrossed(standing)
        for breach in recorded {
            logger.info("Performance threshold crossed", metadata: [
                "project.id": "\(breach.projectID)", "rule.id": "\(breach.ruleID)", "transaction": "\(breach.name)", "reason": "\(breach.reason)",
            ])
        }
    }

    /// When each periodic part last ran, and which thresholds stand crossed.
    actor State {
        var last: [String: Date] = [:]
        var crossed = StandingCrossings()

        func setCrossed(_ crossings: StandingCrossings) { crossed = crossings }

        func due(_ part: String, every seconds: TimeInterval, now: Date) -> Bool {
            if let at = last[part], now.timeIntervalSince(at) < seconds { return false }
            last[part] = now
            return true
        }
    }
}
