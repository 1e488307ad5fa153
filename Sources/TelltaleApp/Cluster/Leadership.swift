import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import TelltaleCore

/// Who leads each job in ``LeaderJob`` on this node: the one place that decides it. On
/// PostgreSQL every node competes for each job's lease, and the holder renews it on a
/// heartbeat (every 2 s, for 7 s), so when its node dies another takes the job over within
/// 9 s, and a node stopping gracefully gives its leases up at once. A node acts on a job
/// only while its last renewal is trusted (``LeaseTerm``), so two nodes never run it at the
/// same time. On SQLite the database belongs to one process, which leads everything.
final class Leadership: Service, Sendable {
    let leases: (any JobLeaseRepository)?
    let holder: String
    let term: LeaseTerm
    let heartbeat: Duration
    let now: @Sendable () -> Date
    let logger: Logger
    /// Until when this node may act on each job it holds.
    private let held = Mutex<[LeaderJob: Date]>([:])

    /// `leases` nil: the only node (SQLite).
    init(leases: (any JobLeaseRepository)?, node: String = "node-" + String(UInt64.random(in: 0...UInt64.max), radix: 36),
         term: LeaseTerm = LeaseTerm(), heartbeat: Duration = .seconds(2), logger: Logger, now: @escaping @Sendable () -> Date = Date.init) {
        self.leases = leases
        holder = node
        self.term = term
        self.heartbeat = heartbeat
        self.logger = logger
        self.now = now
    }

    /// Whether this node leads `job` now.
    func leads(_ job: LeaderJob) -> Bool {
        guard leases != nil else { return true }
        let until = held.withLock { $0[job] }
        return until.map { now() < $0 } ?? false
    }

    /// The jobs this node leads now.
    var led: [LeaderJob] { LeaderJob.allCases.filter(leads) }

    /// One heartbeat: renews the leases this node holds and takes any free or expired one.
    func renew() async {
        guard let leases else { return }
        for job in LeaderJob.allCases {
            let asked = now()
            do {
                let granted = try await leases.acquire(job.rawValue, holder: holder, now: asked, ttl: term.ttl)
                let was = leads(job)
                held.withLock { $0[job] = granted ? term.trustedUntil(askedAt: asked) : nil }
                if granted != was { logger.info(granted ? "Leading job" : "No longer leading job", metadata: ["job": "\(job.rawValue)", "node": "\(holder)"]) }
            } catch {
                // Unrenewed, the lease stays trusted only until its term ends, then another node takes it.
                logger.warning("Job lease not renewed", metadata: ["job": "\(job.rawValue)", "error": "\(error)"])
            }
        }
    }

    /// Gives every lease up (a graceful stop), so another node takes over at its next heartbeat.
    func resign() async {
        guard let leases else { return }
        held.withLock { $0.removeAll() }
        do {
            try await leases.release(holder: holder)
        } catch {
            logger.warning("Job leases not released; they expire by themselves", metadata: ["error": "\(error)"])
        }
    }

    func run() async throws {
        guard leases != nil else {
            // Nothing to renew; returning early would stop the service group.
            try? await gracefulShutdown()
            return
        }
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.renew()
                try await Task.sleep(for: self.heartbeat)
            }
        }
        await resign()
    }
}
