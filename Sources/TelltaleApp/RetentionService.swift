import Foundation
import Logging
import ServiceLifecycle
import TelltaleCore

/// Deletes data past each project's retention once an hour (first a minute after start),
/// in small batches so ingestion never waits long behind it, and forgets expired dashboard
/// sessions, old sign-in failures and audit entries past `audit.retention_days`, on the node leading the job. Stops at graceful shutdown.
struct RetentionService: Service {
    let purger: RetentionPurger
    let sessions: any SessionRepository
    let loginFailures: any LoginFailureRepository
    let audit: any AuditRepository
    let auditRetentionDays: Int
    let leadership: Leadership
    let logger: Logger

    /// Logs the weekly event tables a pass dropped.
    static func logDrops(_ logger: Logger) -> @Sendable (DroppedEventWeeks) -> Void {
        { dropped in
            if !dropped.tables.isEmpty {
                logger.info("Retention dropped weeks of events", metadata: [
                    "tables": "\(dropped.tables.joined(separator: ","))", "events.deleted": "\(dropped.events.values.reduce(0, +))",
                ])
            }
            for reason in dropped.postponed { logger.warning("Retention could not drop a week of events; next pass tries again", metadata: ["week": "\(reason)"]) }
        }
    }

    func run() async throws {
        try await PeriodicJob.led("Retention purge", job: .retention, firstRun: .seconds(60), interval: .seconds(3_600), leadership: leadership,
                                  logger: logger) { [purger, sessions, loginFailures, audit, auditRetentionDays, logger] now in
            for (project, counts) in try await purger.run(now: now, dryRun: false) where counts.total > 0 {
                logger.info("Retention purge", metadata: [
                    "project": "\(project.slug.rawValue)", "retention.days": "\(project.settings.retentionDays)",
                    "rows.deleted": "\(counts.total)", "events.deleted": "\(counts.rows["events"] ?? 0)", "issues.deleted": "\(counts.rows["issues"] ?? 0)",
                ])
            }
            _ = try await sessions.purgeExpired(now: now)
            _ = try await loginFailures.purge(before: now.addingTimeInterval(-SignInThrottle.perAccount.window))
            let auditDropped = try await audit.purge(olderThan: now.addingTimeInterval(-Double(auditRetentionDays) * 86_400))
            if auditDropped > 0 { logger.info("Retention purged old audit log entries", metadata: ["entries.deleted": "\(auditDropped)"]) }
        }.run()
    }
}
