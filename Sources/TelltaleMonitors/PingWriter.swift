import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization
public import TelltaleCore

/// Group-commits heartbeat pings: every ping waiting when a write starts goes into that one
/// transaction, and each caller gets its answer after the commit. Busy jobs pinging thousands
/// of times a second then cost one commit (one fsync on SQLite) per batch, not per ping.
public final class PingWriter: Service, Sendable {
    struct Waiting {
        var request: PingRequest
        var continuation: CheckedContinuation<(Ping, [MonitorEvent]), any Error>
    }

    struct State {
        var waiting: [Waiting] = []
        var closed = false
    }

    let monitors: any MonitorRepository
    let logger: Logger
    let state = Mutex(State())
    let (signals, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    /// Largest batch per transaction.
    static let maxBatch = 2_000

    public init(monitors: any MonitorRepository, logger: Logger) {
        self.monitors = monitors
        self.logger = logger
    }

    /// Stores a ping; returns after its commit.
    public func record(_ request: PingRequest) async throws -> (Ping, [MonitorEvent]) {
        try await withCheckedThrowingContinuation { continuation in
            let accepted = state.withLock { state -> Bool in
                guard !state.closed else { return false }
                state.waiting.append(Waiting(request: request, continuation: continuation))
                return true
            }
            if accepted { signal.yield() } else { continuation.resume(throwing: CancellationError()) }
        }
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            for await _ in signals {
                await drain()
                if state.withLock({ $0.closed }) { break }
            }
        } onGracefulShutdown: {
            self.state.withLock { $0.closed = true }
            self.signal.yield()
        }
        // Whatever arrived before closing is still written.
        await drain()
    }

    func drain() async {
        while true {
            let batch = state.withLock { state -> [Waiting] in
                let taken = Array(state.waiting.prefix(Self.maxBatch))
                state.waiting.removeFirst(taken.count)
                return taken
            }
            guard !batch.isEmpty else { return }
            do {
                let results = try await monitors.recordPings(batch.map(\.request))
                for (waiting, result) in zip(batch, results) { waiting.continuation.resume(with: result) }
            } catch {
                logger.error("Ping batch not stored", metadata: ["pings": "\(batch.count)", "error": "\(error)"])
                for waiting in batch { waiting.continuation.resume(throwing: error) }
            }
        }
    }
}
