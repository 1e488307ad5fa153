import Logging
import ServiceLifecycle

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
}
