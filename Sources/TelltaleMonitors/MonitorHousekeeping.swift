public import Foundation
public import Logging
public import ServiceLifecycle
public import TelltaleCore

/// Every ten minutes: computes the percentiles of finished hours from raw results, then
/// deletes raw results and pings past their retention (hourly figures stay 400 days).
public struct MonitorHousekeeping: Service {
    let monitors: any MonitorRepository
    let resultRetention: TimeInterval
    let logger: Logger
    let interval: Duration
    /// Whether this node leads the job (with several nodes, one does it).
    let leads: @Sendable () -> Bool

    public init(monitors: any MonitorRepository, resultRetentionDays: Int, logger: Logger, interval: Duration = .seconds(600),
                leads: @escaping @Sendable () -> Bool = { true }) {
        self.leads = leads
        self.monitors = monitors
        self.resultRetention = TimeInterval(resultRetentionDays) * 86_400
        self.logger = logger
        self.interval = interval
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                guard leads() else { continue }
                do {
                    try await runOnce(now: Date())
                } catch is CancellationError {
                    return
                } catch {
                    logger.error("Monitor housekeeping failed; retrying later", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    /// One round, for the service loop and for tests with their own clock.
    public func runOnce(now: Date) async throws {
        while try await monitors.rollUpHours(before: now) > 0 {}
        // Hourly figures stay 400 days whatever the raw retention.
        let deleted = try await monitors.purgeResults(before: now.addingTimeInterval(-resultRetention), hourlyBefore: now.addingTimeInterval(-400 * 86_400))
        if deleted > 0 { logger.info("Monitor results purged", metadata: ["rows.deleted": "\(deleted)"]) }
    }
}
