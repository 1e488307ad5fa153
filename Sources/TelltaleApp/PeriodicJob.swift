import Foundation
import Logging
import ServiceLifecycle
import TelltaleCore

/// Runs `work` a while after start and then at a fixed interval until graceful shutdown; a
/// failure is logged and the work is tried again at the next interval.
struct PeriodicJob: Service {
    let name: String
    let firstRun: Duration
    let interval: Duration
    let logger: Logger
    let work: @Sendable () async throws -> Void

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            try await Task.sleep(for: firstRun)
            while !Task.isCancelled {
                do {
                    try await work()
                } catch is CancellationError {
                    return
                } catch {
                    logger.error("\(name) failed; retrying at the next interval", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: interval)
            }
        }
    }

    /// A job that runs only on the node holding lease `lease`: each run takes or renews it
    /// (for three intervals and 5 s), so another node takes over once this one stops.
    static func leased(_ name: String, lease: String, interval: Duration, leases: any JobLeaseRepository, logger: Logger,
                       work: @escaping @Sendable (Date) async throws -> Void) -> PeriodicJob {
        let holder = UUID().uuidString
        let ttl = 3 * Double(interval.components.seconds) + 5
        return PeriodicJob(name: name, firstRun: interval, interval: interval, logger: logger) {
            let now = Date()
            guard try await leases.acquire(lease, holder: holder, now: now, ttl: ttl) else { return }
            try await work(now)
        }
    }
}
