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

    func write(_ records: [IngestRecord]) async throws {
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
}
