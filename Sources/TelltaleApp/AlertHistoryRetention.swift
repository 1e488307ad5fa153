import Foundation
import Logging
import ServiceLifecycle
import TelltaleCore

/// Deletes the alert history (alerts, notifications with their attempts, in-app
/// notifications) older than `alerting.history_days`, once an hour, in small batches, on the
/// node leading the job.
struct AlertHistoryRetention: Service {
    let alerts: any AlertRepository
    let days: Int
    let leadership: Leadership
    let logger: Logger

    func run() async throws {
        try await PeriodicJob.led("Alert history purge", job: .alertHistory, firstRun: .seconds(90), interval: .seconds(3_600), leadership: leadership,
                                  logger: logger) { [alerts, days, logger] now in
            let cutoff = now.addingTimeInterval(-Double(days) * 86_400)
            var total = 0
            while true {
                let deleted = try await alerts.purgeHistory(before: cutoff, batchSize: 1_000)
                total += deleted
                if deleted == 0 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            if total > 0 { logger.info("Alert history purge", metadata: ["rows.deleted": "\(total)", "history.days": "\(days)"]) }
        }.run()
    }
}
