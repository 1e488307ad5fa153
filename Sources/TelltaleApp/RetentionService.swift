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
    var firstRun: Duration = .seconds(60)
    var interval: Duration = .seconds(3_600)

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            try await Task.sleep(for: firstRun)
            while !Task.isCancelled {
                do {
                    for (project, counts) in try await purger.run(now: Date(), dryRun: false) where counts.total > 0 {
                        logger.info("Retention purge", metadata: [
                            "project": "\(project.slug.rawValue)", "retention.days": "\(project.settings.retentionDays)",
                            "rows.deleted": "\(counts.total)", "events.deleted": "\(counts.rows["events"] ?? 0)", "issues.deleted": "\(counts.rows["issues"] ?? 0)",
                        ])
                    }
                    _ = try await sessions.purgeExpired(now: Date())
                    _ = try await loginFailures.purge(before: Date().addingTimeInterval(-SignInThrottle.perAccount.window))
                } catch is CancellationError {
                    return
                } catch {
                    logger.error("Retention purge failed; retrying next hour", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}
