import Foundation
import Logging
import ServiceLifecycle
import TelltaleCore

/// Deletes data past each project's retention once an hour (first a minute after start),
/// in small batches so ingestion never waits long behind it, and forgets expired dashboard
/// sessions and old sign-in failures. Stops at graceful shutdown.
struct RetentionService: Service {
    let purger: RetentionPurger
    let sessions: any SessionRepository
    let loginFailures: any LoginFailureRepository
    let logger: Logger

    func run() async throws {
        try await PeriodicJob(name: "Retention purge", firstRun: .seconds(60), interval: .seconds(3_600), logger: logger) { [purger, sessions, loginFailures, logger] in
            for (project, counts) in try await purger.run(now: Date(), dryRun: false) where counts.total > 0 {
                logger.info("Retention purge", metadata: [
                    "project": "\(project.slug.rawValue)", "retention.days": "\(project.settings.retentionDays)",
                    "rows.deleted": "\(counts.total)", "events.deleted": "\(counts.rows["events"] ?? 0)", "issues.deleted": "\(counts.rows["issues"] ?? 0)",
                ])
            }
            _ = try await sessions.purgeExpired(now: Date())
            _ = try await loginFailures.purge(before: Date().addingTimeInterval(-SignInThrottle.perAccount.window))
        }.run()
    }
}
