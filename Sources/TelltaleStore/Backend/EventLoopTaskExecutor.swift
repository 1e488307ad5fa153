import NIOCore

/// Runs the jobs of tasks that prefer it on one event loop's thread.
///
/// The SQLite writer awaits a dozen driver calls per transaction, and each resumes through
/// an event loop. On the global executor every resumption waited behind the request jobs
/// queued there (about half a millisecond each under load); on its own loop it runs at once.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
