import Foundation
import TelltaleIncidents
public import Hummingbird
import TelltaleCore

/// An id given as a number or a string (`5` or `"5"`): the API prints ids as strings, and
/// scripts pass either.
struct FlexibleID: Decodable, Sendable {
    var value: Int64

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let number = try? c.decode(Int64.self) {
            value = number
        } else if let text = try? c.decode(String.self), let number = Int64(text) {
            value = number
        } else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "an id must be a number")
        }
    }
}

struct IncidentInput: Decodable {
    var title: String?
    var severity: String?
    var impact: String?
    var commander: FlexibleID?
    var escalationPolicy: FlexibleID?
    var monitors: [FlexibleID]?
    var issues: [FlexibleID]?
    var projects: [FlexibleID]?
    var autoResolve: Bool?
    var quietPeriodSeconds: Int?

    enum CodingKeys: String, CodingKey {
        case title, severity, impact, commander, escalationPolicy = "escalation_policy", monitors, issues, projects, autoResolve = "auto_resolve",
             quietPeriodSeconds = "quiet_period_seconds"
    }

    func parsedSeverity() throws -> IncidentSeverity? {
        guard let severity else { return nil }
        guard let parsed = IncidentSeverity(rawValue: severity) else {
            throw ValidationError(field: "severity", reason: "must be critical, high, medium or low")
        }
        return parsed
    }
}

struct NoteInput: Decodable {
    var text: String?
    var `public`: Bool?
}

public struct IncidentBody: ResponseEncodable, Sendable {
    struct Links: Encodable, Sendable {
        var issues: [String]
        var monitors: [String]
        var projects: [String]
        var alerts: [String]
    }

    var id: String
    var title: String
    var severity: String
    var status: String
    var impact: String
    var commander: String?
    var escalationPolicy: String?
    var autoResolve: Bool
    var quietPeriodSeconds: Int
    var openedBy: String
    var openedAt: Date
    var acknowledgedAt: Date?
    var acknowledgedBy: String?
    var resolvedAt: Date?
    var resolvedBy: String?
    var nextEscalationAt: Date?
    var escalationStep: Int
    var links: Links?

    init(_ incident: Incident, links: IncidentLinks? = nil) {
        id = incident.id.description
        title = incident.title
        severity = incident.severity.rawValue
        status = incident.status.rawValue
        impact = incident.impact
        commander = incident.commanderID?.description
        escalationPolicy = incident.policyID?.description
        autoResolve = incident.autoResolve
        quietPeriodSeconds = incident.quietPeriodSeconds
        openedBy = incident.openedBy.label
        openedAt = incident.openedAt
        acknowledgedAt = incident.acknowledgedAt
        acknowledgedBy = incident.acknowledgedBy?.label
        resolvedAt = incident.resolvedAt
        resolvedBy = incident.resolvedBy?.label
        nextEscalationAt = incident.escalation.dueAt
        escalationStep = incident.escalation.nextStep
        self.links = links.map {
            Links(issues: $0.issues.map(String.init), monitors: $0.monitors.map(\.description), projects: $0.projects.map(\.description),
                  alerts: $0.alerts.map(\.description))
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, title, severity, status, impact, commander, escalationPolicy = "escalation_policy", autoResolve = "auto_resolve",
             quietPeriodSeconds = "quiet_period_seconds", openedBy = "opened_by", openedAt = "opened_at", acknowledgedAt = "acknowledged_at",
             acknowledgedBy = "acknowledged_by", resolvedAt = "resolved_at", resolvedBy = "resolved_by", nextEscalationAt = "next_escalation_at",
             escalationStep = "escalation_step", links
    }
}

struct TimelineItem: Encodable, Sendable {
    var at: Date
    var kind: String
    var actor: String
    var message: String
    var `public`: Bool

    init(_ entry: TimelineEntry) {
        at = entry.at
        kind = entry.kind.rawValue
        actor = entry.actor.label
        message = entry.message
        self.public = entry.isPublic
    }
}

public struct IncidentDetailBody: ResponseEncodable, Sendable {
    var incident: IncidentBody
    var timeline: [TimelineItem]

    enum CodingKeys: String, CodingKey { case timeline }

    public func encode(to encoder: any Encoder) throws {
        try incident.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(timeline, forKey: .timeline)
    }
}

public struct IncidentReportBody: ResponseEncodable, Sendable {
    struct IssueItem: Encodable, Sendable { var id: String; var title: String; var events: Int64; var users: Int64 }
    struct MonitorItem: Encodable, Sendable {
        var id: String
        var name: String
        var downtimeSeconds: Double
        enum CodingKeys: String, CodingKey { case id, name, downtimeSeconds = "downtime_seconds" }
    }

    var incident: IncidentBody
    var durationSeconds: Double?
    var timeToAcknowledgeSeconds: Double?
    var timeToResolveSeconds: Double?
    var resolvedByRunbook: Bool
    var resolvedAutomatically: Bool
    var affectedUsers: Int64
    var affectedEvents: Int64
    var issues: [IssueItem]
    var monitors: [MonitorItem]
    var postmortem: Postmortem
    var timeline: [TimelineItem]
    var markdown: String

    init(_ report: IncidentReport) {
        incident = IncidentBody(report.incident)
        durationSeconds = report.durationSeconds
        timeToAcknowledgeSeconds = IncidentFigures.timeToAcknowledge(report.incident)
        timeToResolveSeconds = IncidentFigures.timeToResolve(report.incident)
        resolvedByRunbook = report.resolvedByRunbook
        resolvedAutomatically = IncidentFigures.resolvedAutomatically(report.incident)
        affectedUsers = report.affectedUsers
        affectedEvents = report.affectedEvents
        issues = report.issues.map { IssueItem(id: String($0.id), title: $0.title, events: $0.events, users: $0.users) }
        monitors = report.monitors.map { MonitorItem(id: $0.id.description, name: $0.name, downtimeSeconds: $0.downtimeSeconds) }
        postmortem = report.postmortem
        timeline = report.timeline.map(TimelineItem.init)
        markdown = report.markdown()
    }

    enum CodingKeys: String, CodingKey {
        case incident, durationSeconds = "duration_seconds", timeToAcknowledgeSeconds = "time_to_acknowledge_seconds",
             timeToResolveSeconds = "time_to_resolve_seconds", resolvedByRunbook = "resolved_by_runbook", resolvedAutomatically = "resolved_automatically",
             affectedUsers = "affected_users", affectedEvents = "affected_events", issues, monitors, postmortem, timeline, markdown
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(incident, forKey: .incident)
        // Nulls are written out: "not acknowledged" is an answer, not a missing field.
        try c.encode(durationSeconds, forKey: .durationSeconds)
        try c.encode(timeToAcknowledgeSeconds, forKey: .timeToAcknowledgeSeconds)
        try c.encode(timeToResolveSeconds, forKey: .timeToResolveSeconds)
        try c.encode(resolvedByRunbook, forKey: .resolvedByRunbook)
        try c.encode(resolvedAutomatically, forKey: .resolvedAutomatically)
        try c.encode(affectedUsers, forKey: .affectedUsers)
        try c.encode(affectedEvents, forKey: .affectedEvents)
        try c.encode(issues, forKey: .issues)
        try c.encode(monitors, forKey: .monitors)
        try c.encode(postmortem, forKey: .postmortem)
        try c.encode(timeline, forKey: .timeline)
        try c.encode(markdown, forKey: .markdown)
    }
}

public struct IncidentStatsBody: ResponseEncodable, Sendable {
    struct Week: Encodable, Sendable {
        var week: Date
        var incidents: Int
        var mttaSeconds: Double?
        var mttrSeconds: Double?
        var autoResolutionRate: Double?
        enum CodingKeys: String, CodingKey { case week, incidents, mttaSeconds = "mtta_seconds", mttrSeconds = "mttr_seconds", autoResolutionRate = "auto_resolution_rate" }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(week, forKey: .week)
            try c.encode(incidents, forKey: .incidents)
            try c.encode(mttaSeconds, forKey: .mttaSeconds)
            try c.encode(mttrSeconds, forKey: .mttrSeconds)
            try c.encode(autoResolutionRate, forKey: .autoResolutionRate)
        }
    }

    var statsPeriod: String
    var incidents: Int
    var resolved: Int
    var mttaSeconds: Double?
    var mttrSeconds: Double?
    var autoResolutionRate: Double?
    var timeToAutomatedResolutionSeconds: Double?
    var acknowledgementTargetMet: Double?
    var weeks: [Week]

    init(period: String, summary: IncidentFigures.Summary, weeks: [(week: Date, summary: IncidentFigures.Summary)]) {
        statsPeriod = period
        incidents = summary.count
        resolved = summary.resolved
        mttaSeconds = summary.mttaSeconds
        mttrSeconds = summary.mttrSeconds
        autoResolutionRate = summary.autoResolutionRate
        timeToAutomatedResolutionSeconds = summary.meanTimeToAutomatedResolutionSeconds
        acknowledgementTargetMet = summary.acknowledgementTargetMet
        self.weeks = weeks.map {
            Week(week: $0.week, incidents: $0.summary.count, mttaSeconds: $0.summary.mttaSeconds, mttrSeconds: $0.summary.mttrSeconds,
                 autoResolutionRate: $0.summary.autoResolutionRate)
        }
    }

    enum CodingKeys: String, CodingKey {
        case statsPeriod, incidents, resolved, mttaSeconds = "mtta_seconds", mttrSeconds = "mttr_seconds", autoResolutionRate = "auto_resolution_rate",
             timeToAutomatedResolutionSeconds = "time_to_automated_resolution_seconds", acknowledgementTargetMet = "acknowledgement_target_met", weeks
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(statsPeriod, forKey: .statsPeriod)
        try c.encode(incidents, forKey: .incidents)
        try c.encode(resolved, forKey: .resolved)
        try c.encode(mttaSeconds, forKey: .mttaSeconds)
        try c.encode(mttrSeconds, forKey: .mttrSeconds)
        try c.encode(autoResolutionRate, forKey: .autoResolutionRate)
        try c.encode(timeToAutomatedResolutionSeconds, forKey: .timeToAutomatedResolutionSeconds)
        try c.encode(acknowledgementTargetMet, forKey: .acknowledgementTargetMet)
        try c.encode(weeks, forKey: .weeks)
    }
}

public struct PolicyBody: ResponseEncodable, Sendable {
    var id: String
    var policy: EscalationPolicyDraft

    init(_ policy: EscalationPolicy) {
        id = policy.id.description
        self.policy = policy.draft
    }

    enum CodingKeys: String, CodingKey { case id }

    public func encode(to encoder: any Encoder) throws {
        try policy.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
    }
}

public struct ScheduleBody: ResponseEncodable, Sendable {
    struct Shift: Encodable, Sendable {
        var user: String?
        var start: Date
        var end: Date
    }

    var id: String
    var schedule: OnCallScheduleDraft
    var onCallNow: String?
    /// Times in the next two weeks when nobody is on call: allowed, but worth knowing.
    var gaps: [Shift]

    init(_ schedule: OnCallSchedule, now: Date) {
        id = schedule.id.description
        self.schedule = schedule.draft
        onCallNow = schedule.draft.onCall(at: now)?.description
        gaps = schedule.draft.gaps(from: now).map { Shift(user: nil, start: $0.start, end: $0.end) }
    }

    enum CodingKeys: String, CodingKey { case id, onCallNow = "on_call_now", warnings }

    public func encode(to encoder: any Encoder) throws {
        try schedule.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(onCallNow, forKey: .onCallNow)
        let warnings = gaps.map { "nobody is on call from \(ISO8601DateFormatter().string(from: $0.start)) to \(ISO8601DateFormatter().string(from: $0.end))" }
        try c.encode(warnings, forKey: .warnings)
    }
}

public struct OnCallBody: ResponseEncodable, Sendable {
    struct Entry: Encodable, Sendable {
        var schedule: String
        var name: String
        var user: String?
        var email: String?
    }

    var at: Date
    var oncall: [Entry]
}

public struct RunbookBody: ResponseEncodable, Sendable {
    var id: String
    var runbook: RunbookDraft
    var succeeded: Int
    var failed: Int

    init(_ runbook: Runbook, counts: (succeeded: Int, failed: Int)?) {
        id = runbook.id.description
        self.runbook = SecretBox.masked(runbook.draft)
        succeeded = counts?.succeeded ?? 0
        failed = counts?.failed ?? 0
    }

    enum CodingKeys: String, CodingKey { case id, runs }

    public func encode(to encoder: any Encoder) throws {
        try runbook.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(["succeeded": succeeded, "failed": failed], forKey: .runs)
    }
}

public struct RunbookTemplateBody: ResponseEncodable, Sendable {
    var draft: RunbookDraft

    public func encode(to encoder: any Encoder) throws { try draft.encode(to: encoder) }
}

public struct RunbookRunBody: ResponseEncodable, Sendable {
    var id: String
    var runbook: String
    var incident: String?
    var trigger: String
    var status: String
    var createdAt: Date
    var startedAt: Date?
    var finishedAt: Date?
    var steps: [RunbookRun.StepResult]

    init(_ run: RunbookRun) {
        id = run.id.description
        runbook = run.runbookID.description
        incident = run.incidentID?.description
        trigger = run.trigger
        status = run.status.rawValue
        createdAt = run.createdAt
        startedAt = run.startedAt
        finishedAt = run.finishedAt
        steps = run.steps
    }

    enum CodingKeys: String, CodingKey {
        case id, runbook, incident, trigger, status, createdAt = "created_at", startedAt = "started_at", finishedAt = "finished_at", steps
    }
}

/// What a run would do, with the bodies rendered from the test payload; nothing is called.
public struct DryRunBody: ResponseEncodable, Sendable {
    var steps: [DryRun.Step]
    var dryRun = true

    init(_ draft: RunbookDraft, payload: [String: String]) {
        steps = DryRun.plan(draft, payload: payload)
    }

    enum CodingKeys: String, CodingKey { case steps, dryRun = "dry_run" }
}
