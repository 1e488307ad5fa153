public import Foundation

/// The background jobs that must run on one node at a time, by the name of the lease each
/// node competes for. Work spread over nodes is made safe another way and is not listed:
/// notification and forward deliveries, monitor checks and runbook runs are claimed item by
/// item under a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL); alert evaluation, forwarding's
/// queueing and escalation steps move a stored position or state by compare-and-set, so a
/// second node's identical pass changes nothing.
public enum LeaderJob: String, CaseIterable, Sendable {
    case retention
    case alertHistory = "alert-history"
    case monitorHousekeeping = "monitor-housekeeping"
    case detectors = "analysis-detectors"
    case performance
    case business
    case errorMetrics = "error-metrics"
}

/// How long a node may act on a lease it renewed: until `ttl` minus `margin` after it asked.
/// The lease's expiry is computed from the asking node's clock; stopping `margin` early keeps
/// a node with a slow clock or a late answer from overlapping the next holder.
public struct LeaseTerm: Sendable, Hashable {
    public var ttl: TimeInterval
    public var margin: TimeInterval

    public init(ttl: TimeInterval = 7, margin: TimeInterval = 2) {
        self.ttl = ttl
        self.margin = margin
    }

    /// Until when a lease granted on a request sent at `askedAt` may be acted on.
    public func trustedUntil(askedAt: Date) -> Date {
        askedAt.addingTimeInterval(max(0, ttl - margin))
    }
}
