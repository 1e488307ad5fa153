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

    /// A job that runs only while this node leads `job` (``Leadership``): every node keeps
    /// the timer, and the one leading at each tick does the work.
    static func led(_ name: String, job: LeaderJob, firstRun: Duration? = nil, interval: Duration, leadership: Leadership, logger: Logger,
                    work: @escaping @Sendable (Date) async throws -> Void) -> PeriodicJob {
        PeriodicJob(name: name, firstRun: firstRun ?? interval, interval: interval, logger: logger) {
            guard leadership.leads(job) else { return }
            try await work(leadership.now())
        }
    }
}
