import Foundation
import Logging
import Synchronization
import Testing
import TelltaleCore
import TelltaleIngest
import TelltaleTestSupport

/// A repository that holds every write until released, and records batch sizes.
final class GatedRepository: IngestRepository, Sendable {
    let batches = Mutex<[Int]>([])
    let open = Mutex(false)
    /// Writes begun, held or not.
    let entered = Mutex(0)

    func write(_ records: [IngestRecord]) async throws {
        entered.withLock { $0 += 1 }
        while !open.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
        batches.withLock { $0.append(records.count) }
    }
}

@Suite("Ingest write queue")
struct IngestWriterTests {
    static func outcome() -> IngestRecord {
        .outcome(OutcomeRecord(projectID: ProjectID(1), timestamp: 0, outcome: "client_discard", category: "error", reason: "test", quantity: 1))
    }

    @Test("a full queue refuses at once; what was queued is written in one group commit")
    func backpressure() async throws {
        let repository = GatedRepository()
        let writer = IngestWriter(repository: repository, capacity: 3, maxBatch: 100, logger: TestDatabase.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await writer.run() }
            // The first submission is taken by the writer and blocks in the repository.
            group.addTask { try await writer.submit([Self.outcome()]) }
            try await Task.sleep(for: .milliseconds(100))
            // Three more fill the queue; the fourth is refused without waiting.
            for _ in 0..<3 { group.addTask { try await writer.submit([Self.outcome()]) } }
            try await Task.sleep(for: .milliseconds(100))
            await #expect(throws: IngestWriter.Overloaded.self) { try await writer.submit([Self.outcome()]) }
            repository.open.withLock { $0 = true }
            for _ in 0..<4 { try await group.next() }
            group.cancelAll()
        }
        #expect(repository.batches.withLock { $0 } == [1, 3])
    }

    @Test("busy: records waiting, or a commit that gathered several requests within the window")
    func busy() async throws {
        let repository = GatedRepository()
        let writer = IngestWriter(repository: repository, capacity: 100, maxBatch: 100, logger: TestDatabase.logger)
        #expect(!writer.busy())
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await writer.run() }
            group.addTask { try await writer.submit([Self.outcome()]) }
            // The first is queued, then taken by the writer, which holds it in the repository.
            while repository.entered.withLock({ $0 }) == 0 { await Task.yield() }
            for _ in 0..<5 { group.addTask { try await writer.submit([Self.outcome()]) } }
            while writer.queuedRecords < 5 { await Task.yield() }
            #expect(writer.busy())  // records waiting
            repository.open.withLock { $0 = true }
            for _ in 0..<6 { try await group.next() }
            group.cancelAll()
        }
        #expect(repository.batches.withLock { $0 } == [1, 5])
        #expect(writer.queuedRecords == 0)
        #expect(writer.busy(within: .seconds(60)))  // the five came in while the first was written
        #expect(!writer.busy(within: .zero))
    }
}
