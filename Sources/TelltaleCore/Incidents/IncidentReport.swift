import Foundation

/// The post-incident report: times, what was affected, what ran, and the post-mortem.
public struct IncidentReport: Sendable, Hashable {
    public struct IssueLine: Sendable, Hashable {
        public var id: Int64
        public var title: String
        public var events: Int64
        public var users: Int64

        public init(id: Int64, title: String, events: Int64, users: Int64) {
            self.id = id
            self.title = title
            self.events = events
            self.users = users
        }
    }

    public struct MonitorLine: Sendable, Hashable {
        public var id: MonitorID
        public var name: String
        /// Downtime overlapping the incident.
        public var downtimeSeconds: Double

        public init(id: MonitorID, name: String, downtimeSeconds: Double) {
            self.id = id
            self.name = name
            self.downtimeSeconds = downtimeSeconds
        }
    }

    public var incident: Incident
    public var timeline: [TimelineEntry]
    public var issues: [IssueLine]
    public var monitors: [MonitorLine]
    public var postmortem: Postmortem
    /// Names of people by user id, for the timeline.
    public var people: [UserID: String]

    public init(incident: Incident, timeline: [TimelineEntry], issues: [IssueLine], monitors: [MonitorLine], postmortem: Postmortem, people: [UserID: String]) {
        self.incident = incident
        self.timeline = timeline
        self.issues = issues
        self.monitors = monitors
        self.postmortem = postmortem
        self.people = people
    }

    public var durationSeconds: Double? { IncidentFigures.timeToResolve(incident) }
    public var resolvedByRunbook: Bool { if case .runbook = incident.resolvedBy { true } else { false } }
    public var affectedUsers: Int64 { issues.reduce(0) { $0 + $1.users } }
    public var affectedEvents: Int64 { issues.reduce(0) { $0 + $1.events } }

    public func actorName(_ actor: IncidentActor) -> String { Self.actorName(actor, people: people) }

    /// Who an actor is, in words: a person's name, a runbook, Telltale itself.
    public static func actorName(_ actor: IncidentActor, people: [UserID: String]) -> String {
        switch actor {
        case .user(let id): people[id] ?? "user \(id)"
        case .runbook(let name): "runbook \(name)"
        case .automatic: "Telltale"
        case .rule(let id): "alert rule \(id)"
        case .link: "someone with a one-click link"
        }
    }

    /// The report as Markdown, for a post-mortem document.
    public func markdown() -> String {
        let iso = ISO8601DateFormatter()
        func duration(_ seconds: Double?) -> String {
            guard let seconds else { return "—" }
            let total = Int(seconds.rounded())
            return total >= 3600 ? "\(total / 3600) h \(total % 3600 / 60) min" : total >= 60 ? "\(total / 60) min \(total % 60) s" : "\(total) s"
        }
        var lines = ["# Incident #\(incident.id): \(incident.title)", "",
                     "- Severity: \(incident.severity.rawValue)", "- Status: \(incident.status.rawValue)",
                     "- Opened: \(iso.string(from: incident.openedAt)) by \(actorName(incident.openedBy))",
                     "- Time to acknowledge: \(duration(IncidentFigures.timeToAcknowledge(incident)))",
                     "- Time to resolve: \(duration(IncidentFigures.timeToResolve(incident)))"]
        if let by = incident.resolvedBy { lines.append("- Resolved by: \(actorName(by))") }
        lines.append("- Affected: \(affectedEvents) events, \(affectedUsers) users")
        if !incident.impact.isEmpty { lines += ["", "## Impact", "", incident.impact] }
        lines += ["", "## Summary", "", postmortem.summary.isEmpty ? "_To be written._" : postmortem.summary,
                  "", "## Root cause", "", postmortem.rootCause.isEmpty ? "_To be written._" : postmortem.rootCause, "", "## Action items", ""]
        lines += postmortem.actionItems.isEmpty ? ["_None yet._"] : postmortem.actionItems.map { "- [ ] \($0)" }
        if !issues.isEmpty {
            lines += ["", "## Issues", ""] + issues.map { "- #\($0.id) \($0.title): \($0.events) events, \($0.users) users" }
        }
        if !monitors.isEmpty {
            lines += ["", "## Monitors", ""] + monitors.map { "- \($0.name): down \(duration($0.downtimeSeconds))" }
        }
        lines += ["", "## Timeline", ""]
        lines += timeline.map { "- \(iso.string(from: $0.at)) — \(actorName($0.actor)): \($0.kind.rawValue) — \($0.message)" }
        return lines.joined(separator: "\n") + "\n"
    }
}
