import Foundation
import Logging
import SentryProtocol
import ServiceLifecycle
import TelltaleCore
import TelltaleIngest

/// Puts cron monitors next to the errors: a cron monitor of a project that goes down reports
/// an error event into that project (one issue per monitor, by fingerprint), and its recovery
/// resolves that issue. Listens to monitor state changes.
/// A service, so state changes are handled in order and finish before shutdown.
struct CronIssueReporter: Service {
    let repositories: Repositories
    let ingest: IngestService
    let logger: Logger
    let events: AsyncStream<[MonitorEvent]>
    let continuation: AsyncStream<[MonitorEvent]>.Continuation

    init(repositories: Repositories, ingest: IngestService, logger: Logger) {
        self.repositories = repositories
        self.ingest = ingest
        self.logger = logger
        (events, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(10_000))
    }

    /// Called by the recorder; never waits.
    func enqueue(_ batch: [MonitorEvent]) {
        continuation.yield(batch)
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            for await batch in events { await handle(batch) }
        } onGracefulShutdown: {
            continuation.finish()
        }
    }

    func handle(_ events: [MonitorEvent]) async {
        for event in events where !event.duringMaintenance {
            do {
                guard let monitor = try await repositories.monitors.monitor(id: event.monitorID), monitor.type == .cron,
                      let projectID = monitor.projectID, let project = try await repositories.projects.project(id: projectID) else { continue }
                if event.transition.to == .down {
                    try await reportFailure(monitor, project: project, cause: event.transition.cause)
                } else if event.transition.from == .down {
                    try await resolve(monitor, project: project)
                }
            } catch {
                logger.error("Cron monitor issue not updated", metadata: ["monitor.id": "\(event.monitorID)", "error": "\(error)"])
            }
        }
    }

    func reportFailure(_ monitor: Monitor, project: Project, cause: String) async throws {
        let slug = monitor.slug ?? monitor.name
        let payload: JSONValue = .object([
            "message": .string("Cron monitor '\(slug)' failed"),
            "level": .string("error"),
            "logger": .string("telltale.cron"),
            "platform": .string("other"),
            "fingerprint": .array([.string("telltale-cron-monitor"), .string(slug)]),
            "tags": .object(["monitor.slug": .string(slug)]),
            "extra": .object(["cause": .string(cause), "monitor_id": .string(monitor.id.description)]),
        ])
        let ids = try await ingest.ingest(events: [payload], project: project, organizationRateLimit: nil, clientIP: nil)
        try await repositories.monitors.setFailureEvent(monitor.id, eventID: ids.first)
    }

    func resolve(_ monitor: Monitor, project: Project) async throws {
        guard let eventID = try await repositories.monitors.failureEvent(monitor.id),
              let issueID = try await repositories.events.event(projectID: project.id, eventID: eventID)?.issueID,
              let issue = try await repositories.issues.issue(id: issueID), issue.status != .resolved else { return }
        _ = try await repositories.issues.update(id: issueID, IssueChange(status: .resolved, resolutionNote: "cron monitor recovered"), by: nil, now: Date())
        try await repositories.monitors.setFailureEvent(monitor.id, eventID: nil)
    }
}
