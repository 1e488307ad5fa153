import Foundation
import Logging
import NIOPosix
import Testing
@testable import TelltaleStore

/// The SQLite writer's thread carries a name, so `top -H`, profilers and the ingest
/// benchmark's per-thread figures can tell it from the other threads.
@Suite("Thread names")
struct ThreadNameTests {
    @Test("the SQLite writer's thread is named sqlite-writer", .enabled(if: FileManager.default.fileExists(atPath: "/proc/thread-self/comm")))
    func writerThread() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-thread-name-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let backend = try await SQLiteBackend.open(path: directory.appendingPathComponent("t.db").path, readerCount: 1, logger: Logger(label: "test"))
        let name = try await backend.writerThreads.runIfActive { try String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8) }
        #expect(name == "sqlite-writer\n")
        try await backend.close()
    }

    @Test("a name longer than Linux's 15 bytes is cut, not refused", .enabled(if: FileManager.default.fileExists(atPath: "/proc/thread-self/comm")))
    func longName() async throws {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        let name = try await pool.runIfActive {
            ThreadName.setCurrent("a-very-long-thread-name")
            return try String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)
        }
        #expect(name == "a-very-long-thr\n")
        try await pool.shutdownGracefully()
    }
}
