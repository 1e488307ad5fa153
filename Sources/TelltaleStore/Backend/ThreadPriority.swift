#if canImport(Glibc)
import Glibc
#endif

/// Scheduling priority for the SQLite writer's thread.
///
/// Under ingest load both cores run request work; each of the writer's many small waits
/// (a statement handed to its thread, the answer handed back) then waited for a time slice,
/// which made a commit of 15 events take 5 ms. A higher priority lets the writer run the
/// moment it is woken. Raising priority needs CAP_SYS_NICE (root in most containers);
/// without it the thread keeps the normal priority and everything still works, only slower.
enum ThreadPriority {
    /// Nice value asked for; below the default 0 means ahead of request threads.
    static let writer: Int32 = -10

    /// Applies `nice` to the calling thread (on Linux priority is per thread); returns
    /// whether it took effect.
    @discardableResult
    static func raiseCurrentThread(to nice: Int32 = writer) -> Bool {
        #if os(Linux)
        return setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, nice) == 0
        #else
        return false
        #endif
    }
}
