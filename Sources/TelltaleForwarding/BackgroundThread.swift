#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix

/// A thread of its own for forwarding's CPU work (decompressing, parsing and rendering
/// events), scheduled as idle work (Linux `SCHED_IDLE`): it runs only when no other thread
/// wants the core, so under an ingest burst forwarding waits and catches up afterwards
/// instead of taking a share of both cores from ingestion (a nice value of 10 still took a
/// quarter of a core and a fifth of the ingest rate). Needs no privilege.
final class BackgroundThread: Sendable {
    let pool: NIOThreadPool
    /// An event loop for forwarding's own HTTP client, at the same idle priority: sending
    /// megabytes a second to the services stays off the loops that serve ingest requests.
    let loop: MultiThreadedEventLoopGroup

    init() {
        pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        loop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        loop.next().execute { Self.lowerCurrentThread() }
    }

    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.runIfActive {
            Self.lowerCurrentThread()
            return try work()
        }
    }

    func shutdown() async {
        try? await pool.shutdownGracefully()
        try? await loop.shutdownGracefully()
    }

    /// Linux's SCHED_IDLE (5), which Glibc's module does not export (it needs _GNU_SOURCE).
    static let schedIdle: Int32 = 5

    /// On Linux the policy is per thread; setting it again on each job costs one system call.
    static func lowerCurrentThread() {
        #if os(Linux)
        var parameters = sched_param()
        parameters.sched_priority = 0
        _ = sched_setscheduler(0, schedIdle, &parameters)
        #endif
    }
}
