public import Foundation

/// Per-incident times, and an organization's figures over a window: mean time to acknowledge
/// and to resolve, and the share of incidents a runbook or the automatic check resolved
/// without anyone acknowledging them.
public enum IncidentFigures {
    public static func timeToAcknowledge(_ incident: Incident) -> TimeInterval? {
        incident.acknowledgedAt.map { $0.timeIntervalSince(incident.openedAt) }
    }

    public static func timeToResolve(_ incident: Incident) -> TimeInterval? {
        incident.resolvedAt.map { $0.timeIntervalSince(incident.openedAt) }
    }

    /// Resolved by a runbook or automatically, with nobody acknowledging it first.
    public static func resolvedAutomatically(_ incident: Incident) -> Bool {
        guard incident.status == .resolved, incident.acknowledgedAt == nil else { return false }
        switch incident.resolvedBy {
        case .runbook, .automatic: return true
        default: return false
        }
    }

    public struct Summary: Sendable, Hashable {
        public var count: Int
        public var resolved: Int
        public var mttaSeconds: Double?
        public var mttrSeconds: Double?
        /// Over all incidents of the window; `nil` without incidents.
        public var autoResolutionRate: Double?
        public var meanTimeToAutomatedResolutionSeconds: Double?
        /// The share of acknowledged incidents acknowledged within their severity's target.
        public var acknowledgementTargetMet: Double?
    }

    /// Targets to acknowledge by severity (seconds): critical 15 min, high 30, medium 60, low 240.
    public static let defaultAcknowledgeTargets: [IncidentSeverity: Int] = [.critical: 900, .high: 1_800, .medium: 3_600, .low: 14_400]

    public static func summary(_ incidents: [Incident], acknowledgeTargets: [IncidentSeverity: Int] = defaultAcknowledgeTargets) -> Summary {
        func mean(_ values: [TimeInterval]) -> Double? { values.isEmpty ? nil : values.reduce(0, +) / Double(values.count) }
        let acknowledged = incidents.compactMap { incident in timeToAcknowledge(incident).map { (incident, $0) } }
        let automatic = incidents.filter(resolvedAutomatically)
        let met = acknowledged.filter { incident, seconds in seconds <= Double(acknowledgeTargets[incident.severity] ?? .max) }
        return Summary(count: incidents.count, resolved: incidents.filter { $0.status == .resolved }.count,
                       mttaSeconds: mean(acknowledged.map(\.1)), mttrSeconds: mean(incidents.compactMap(timeToResolve)),
                       autoResolutionRate: incidents.isEmpty ? nil : Double(automatic.count) / Double(incidents.count),
                       meanTimeToAutomatedResolutionSeconds: mean(automatic.compactMap(timeToResolve)),
                       acknowledgementTargetMet: acknowledged.isEmpty ? nil : Double(met.count) / Double(acknowledged.count))
    }

    /// The same figures per week (Monday 00:00 UTC), oldest first.
    public static func weekly(_ incidents: [Incident], acknowledgeTargets: [IncidentSeverity: Int] = defaultAcknowledgeTargets) -> [(week: Date, summary: Summary)] {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let byWeek = Dictionary(grouping: incidents) { calendar.dateInterval(of: .weekOfYear, for: $0.openedAt)?.start ?? $0.openedAt }
        return byWeek.keys.sorted().map { ($0, summary(byWeek[$0]!, acknowledgeTargets: acknowledgeTargets)) }
    }
}
