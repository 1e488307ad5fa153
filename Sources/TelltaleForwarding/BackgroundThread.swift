#if canImport(Glibc)
import Glibc
#endif
import NIOPosix

/// A thread of its own at a low scheduling priority (nice 10) for forwarding's CPU work
/// (decompressing, parsing and rendering events): under an ingest burst the request and
/// writer threads run first and forwarding catches up when they are idle, instead of taking
/// a share of both cores from ingestion. Lowering one's own priority needs no privilege.
final class BackgroundThread: Sendable {
    static let nice: Int32 = 10
    let pool: NIOThreadPool

    init() {
        pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
    }

    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.runIfActive {
            Self.lowerCurrentThread()
            return try work()
        }
    }

    func shutdown() async { try? await pool.shutdownGracefully() }

    /// On Linux priority is per thread; setting it again on each job costs one system call.
    static func lowerCurrentThread() {
        #if os(Linux)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, nice)
        #endif
    }
}
