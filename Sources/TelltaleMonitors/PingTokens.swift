public import Foundation
import Synchronization
public import TelltaleCore

/// Which monitor a ping URL's token names, remembered for a minute. Tokens never change, and
/// the ping's own transaction re-reads the monitor (a deleted one fails there), so only the
/// lookup is cached: it was a quarter of a ping's CPU on the request side.
public final class PingTokens: Sendable {
    struct Entry {
        var monitorID: MonitorID
        var expires: Date
    }

    let monitors: any MonitorRepository
    let entries = Mutex<[String: Entry]>([:])
    let lifetime: TimeInterval
    let limit: Int

    public init(monitors: any MonitorRepository, lifetime: TimeInterval = 60, limit: Int = 100_000) {
        self.monitors = monitors
        self.lifetime = lifetime
        self.limit = limit
    }

    /// The heartbeat monitor with this token, or `nil`.
    public func monitorID(token: String, now: Date) async throws -> MonitorID? {
        if let entry = entries.withLock({ $0[token] }), entry.expires > now { return entry.monitorID }
        guard let monitor = try await monitors.monitor(pingToken: token), monitor.target.heartbeat != nil else {
            forget(token)
            return nil
        }
        entries.withLock { entries in
            if entries.count >= limit { entries.removeAll(keepingCapacity: true) }
            entries[token] = Entry(monitorID: monitor.id, expires: now.addingTimeInterval(lifetime))
        }
        return monitor.id
    }

    public func forget(_ token: String) {
        _ = entries.withLock { $0.removeValue(forKey: token) }
    }
}
