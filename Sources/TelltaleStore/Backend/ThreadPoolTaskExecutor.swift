import NIOPosix

/// Runs the jobs of tasks that prefer it on a one-thread `NIOThreadPool`: the pool that also
/// runs the SQLite writer's statements.
///
/// A write transaction awaits a dozen driver calls. With the transaction on any other thread,
/// each call was two cross-thread wake-ups (hand the statement over, resume with the answer),
/// and under load each wake-up waited for a time slice. On the pool's own thread a call and
/// its resumption are queued behind each other and run back to back.
final class ThreadPoolTaskExecutor: TaskExecutor {
    let pool: NIOThreadPool

    init(pool: NIOThreadPool) {
        self.pool = pool
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // Runs even when the pool has stopped (then on the caller's thread): a job must run.
        pool.submit { _ in job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
