import Foundation

/// What `telltale status` shows, read from the server at one moment.
struct StatusSnapshot: Sendable {
    struct IssueLine: Equatable, Sendable {
        var id: String
        var project: String
        var title: String
        var count: String
        var severity: String?
        var url: String
    }

    struct IncidentLine: Equatable, Sendable {
        var id: String
        var title: String
        var severity: String
        var status: String
    }

    struct MonitorLine: Equatable, Sendable {
        var id: String
        var name: String
        var status: String
    }

    var organization: String
    var server: String
    var takenAt: Date
    /// Events per minute, oldest first, the last being the minute under way.
    var eventsPerMinute: [Int]
    var newIssues: [IssueLine]
    var regressedIssues: [IssueLine]
    var monitors: [MonitorLine]
    var incidents: [IncidentLine]
    var ready: Bool
    var queueDepth: Int?
    /// Mean ingest request latency since the previous snapshot, in milliseconds.
    var ingestLatencyMs: Double?
    var residentBytes: Double?
    /// CPU used by the server since the previous snapshot, in percent of one core.
    var cpuPercent: Double?

    /// Monitors per state, in the order an operator reads them.
    var monitorCounts: [(state: String, count: Int)] {
        let order = ["down", "degraded", "pending", "up", "paused"]
        var counts: [String: Int] = [:]
        for monitor in monitors { counts[monitor.status, default: 0] += 1 }
        return counts.keys.sorted { (order.firstIndex(of: $0) ?? order.count, $0) < (order.firstIndex(of: $1) ?? order.count, $1) }.map { ($0, counts[$0]!) }
    }

    /// Rows the operator can select and act on, in screen order.
    var actionable: [StatusAction] {
        newIssues.map { .issue($0) } + regressedIssues.map { .issue($0) }
            + incidents.filter { $0.status != "resolved" }.map { .incident($0) }
            + monitors.filter { $0.status != "paused" }.map { .monitor($0) }
    }
}

/// A selectable row and what its keys do.
enum StatusAction: Equatable, Sendable {
    case issue(StatusSnapshot.IssueLine)
    case incident(StatusSnapshot.IncidentLine)
    case monitor(StatusSnapshot.MonitorLine)
}
