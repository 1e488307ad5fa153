public import Logging
public import ServiceLifecycle
import Synchronization
public import TelltaleCore

/// The ingest write queue: requests hand in their records and wait; one loop writes
/// everything waiting in a single transaction (group commit) and then wakes them. The queue
/// is bounded: when full, `submit` fails at once so the caller can answer 503 with
/// `Retry-After` instead of buffering without limit. On graceful shutdown the loop drains
/// what was accepted before it stops.
public final class IngestWriter: Service, Sendable {
    /// Refusal because the queue is full or shutting down.
    public struct Overloaded: Error {}

    private struct Pending: Sendable {
        var records: [IngestRecord]
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State: Sendable {
        var pending: [Pending] = []
        var queuedRecords = 0
        var closed = false
        /// The last write failed for a full disk (cleared by the next that succeeds).
        var storageFull = false
        /// When a commit last carried several requests' records at once.
        var lastContended: ContinuousClock.Instant?
    }

    /// Requests per commit from which ingestion counts as busy: they arrived while the
    /// previous commit ran, so the writer had no idle moment between them.
    static let contendedRequests = 4

    private let repository: any IngestRepository
    private let capacity: Int
    private let maxBatch: Int
    private let state = Mutex(State())
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    private let logger: Logger

    /// Creates the writer; `capacity` bounds records waiting, `maxBatch` records per transaction.
    public init(repository: any IngestRepository, capacity: Int = 20_000, maxBatch: Int = 2_000, logger: Logger) {
        self.repository = repository
        self.capacity = capacity
        self.maxBatch = maxBatch
        self.logger = logger
        (wakeups, wake) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Records waiting to be written.
    public var queuedRecords: Int { state.withLock { $0.queuedRecords } }

    /// Whether the last write failed because the database's disk is full.
    public var isStorageFull: Bool { state.withLock { $0.storageFull } }

    /// Whether ingestion has been busy within `window`: records waiting now, or a recent
    /// commit that gathered several requests (requests arriving faster than one commit takes).
    /// Background work (forwarding) defers to it.
    public func busy(within window: Duration = .seconds(1)) -> Bool {
        state.withLock { state in
            state.queuedRecords > 0 || state.lastContended.map { ContinuousClock.now - $0 < window } ?? false
        }
    }

    /// Queues records and returns once they are committed; throws ``Overloaded`` at once
    /// when the queue is full, or the database error when the write failed.
    public func submit(_ records: [IngestRecord]) async throws {
        guard !records.isEmpty else { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let accepted = state.withLock { state -> Bool in
                guard !state.closed, state.queuedRecords + records.count <= capacity || state.queuedRecords == 0 else { return false }
                state.pending.append(Pending(records: records, continuation: continuation))
                state.queuedRecords += records.count
                return true
            }
            if accepted {
                wake.yield()
            } else {
                continuation.resume(throwing: Overloaded())
            }
        }
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            for await _ in wakeups {
                await drain()
            }
        } onGracefulShutdown: {
            // Stop taking new work; what is queued is written below.
            self.state.withLock { $0.closed = true }
            self.wake.finish()
        }
        await drain()
        logger.info("Ingest queue drained")
    }

    private func drain() async {
        while let batch = takeBatch() {
            await write(batch)
        }
    }

    private func takeBatch() -> [Pending]? {
        state.withLock { state -> [Pending]? in
            guard !state.pending.isEmpty else { return nil }
            var batch: [Pending] = []
            var count = 0
            while let next = state.pending.first, batch.isEmpty || count + next.records.count <= maxBatch {
                batch.append(state.pending.removeFirst())
                count += next.records.count
            }
            state.queuedRecords -= count
            if batch.count >= Self.contendedRequests { state.lastContended = .now }
            return batch
        }
    }

    private func write(_ batch: [Pending]) async {
        do {
            try await repository.write(batch.flatMap(\.records))
            if state.withLock({ state in defer { state.storageFull = false }; return state.storageFull }) {
                logger.notice("The database's disk has room again; events are stored")
            }
            for pending in batch { pending.continuation.resume() }
        } catch let full as StorageFull {
            // Nothing of this batch was kept: every request in it is refused (503) to be sent again.
            if !state.withLock({ state in defer { state.storageFull = true }; return state.storageFull }) {
                logger.error("The database's disk is full: ingest answers 503 until space is freed", metadata: ["error": "\(full.detail)"])
            }
            for pending in batch { pending.continuation.resume(throwing: full) }
        } catch where batch.count > 1 {
            // One request's bad record must not fail the others: retry each on its own.
            logger.warning("Group commit failed; writing requests one by one", metadata: ["error": "\(error)"])
            for pending in batch { await write([pending]) }
        } catch {
            logger.error("Ingest write failed", metadata: ["error": "\(error)"])
            batch[0].continuation.resume(throwing: error)
        }
    }
}
