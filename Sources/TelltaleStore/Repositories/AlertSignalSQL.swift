import Foundation
import SQLKit
public import TelltaleCore

/// The signals alert rules read, from the tables the ingest writer and the monitors fill.
public struct AlertSignalSQL: AlertSignalSource {
    let backend: any SQLBackend
    let slidingCounts = SlidingEventCounts()

    init(backend: any SQLBackend) {
        self.backend = backend
    }

    /// Whether an earlier event of `e`'s issue matches `condition`. On PostgreSQL a scalar
    /// subquery walks the (issue, id) index newest first and stops at the first hit; as an
    /// EXISTS (whose ORDER BY and LIMIT PostgreSQL discards) the planner may choose a bitmap
    /// scan, which reads every earlier event of the issue before answering: 100 ms and more
    /// per pass on a busy issue. SQLite's EXISTS already stops at the first hit.
    private func hasEarlier(_ condition: String) -> String {
        let earlier = "FROM events x WHERE x.issue_id = e.issue_id AND x.id < e.id \(condition)"
        return backend.flavor == .postgres ? "(SELECT x.id \(earlier) ORDER BY x.id DESC LIMIT 1) IS NOT NULL" : "EXISTS (SELECT 1 \(earlier))"
    }

    public func eventSignals(after position: Int64, limit: Int) async throws -> [(position: Int64, signal: EventSignal)] {
        try await backend.readDirect { direct in
            // An event opened its issue when no earlier event of the issue exists; a regression is
            // the first event after the issue was reopened, which the writer dates in `regressed_at`.
            // Optional texts come as '' (decoding an optional costs several times a plain one).
            // The direct path: this runs after every commit, and building the statement through
            // SQLKit and decoding its rows through SQLiteKit was most of its cost.
            try await direct.query("""
                SELECT e.id, e.project_id, p.organization_id, p.slug, e.issue_id, i.title, i.culprit, e.level,
                    COALESCE(e.environment, '') AS environment, COALESCE(e.release, '') AS release, e.tags, e.received_at,
                    i.severity, i.category, i.business_impact, i.classified_by,
                    CASE WHEN \(hasEarlier("")) THEN 0 ELSE 1 END AS opened,
                    CASE WHEN i.regressed_at IS NOT NULL AND e.received_at <= i.regressed_at AND e.received_at > i.regressed_at - 60000
                          AND NOT \(hasEarlier("AND x.received_at > i.regressed_at - 60000"))
                         THEN 1 ELSE 0 END AS regressed
                FROM events e JOIN issues i ON i.id = e.issue_id JOIN projects p ON p.id = e.project_id
                WHERE e.id > ? AND e.issue_id IS NOT NULL
                ORDER BY e.id LIMIT ?
                """, [.int(position), .int(Int64(limit))]).map { row in
                let position = try row.decode(column: "id", as: Int64.self)
                let signal = EventSignal(
                    organizationID: OrganizationID(try row.decode(column: "organization_id", as: Int64.self)),
                    projectID: ProjectID(try row.decode(column: "project_id", as: Int64.self)), projectSlug: try row.decode(column: "slug", as: String.self),
                    issueID: try row.decode(column: "issue_id", as: Int64.self), issueTitle: try row.decode(column: "title", as: String.self),
                    culprit: try row.decode(column: "culprit", as: String.self),
                    level: EventLevel(rawValue: try row.decode(column: "level", as: String.self)) ?? .error,
                    environment: Self.nonEmpty(try row.decode(column: "environment", as: String.self)),
                    release: Self.nonEmpty(try row.decode(column: "release", as: String.self)),
                    tags: IssueTagging.decode(try row.decode(column: "tags", as: String.self)),
                    isNewIssue: try row.decode(column: "opened", as: Int.self) == 1, isRegression: try row.decode(column: "regressed", as: Int.self) == 1,
                    at: Date(millisecondsSince1970: try row.decode(column: "received_at", as: Int64.self)),
                    classification: try IssueRows.classification(row))
                return (position, signal)
            }
        }
    }

    public func monitorSignals(after position: Int64, limit: Int) async throws -> [(position: Int64, signal: MonitorSignal)] {
        try await backend.read { db in
            try await db.raw("""
                SELECT v.id, v.organization_id, v.monitor_id, v.from_status, v.to_status, v.effective_at, v.cause, v.during_maintenance,
                       m.project_id, m.name, m.component, m.type
                FROM monitor_events v JOIN monitors m ON m.id = v.monitor_id
                WHERE v.id > \(bind: position) ORDER BY v.id LIMIT \(bind: limit)
                """).all().map { row in
                let signal = MonitorSignal(
                    organizationID: OrganizationID(try row.decode(column: "organization_id", as: Int64.self)),
                    projectID: try row.decode(column: "project_id", as: Int64?.self).map(ProjectID.init),
                    monitorID: MonitorID(try row.decode(column: "monitor_id", as: Int64.self)), monitorName: try row.decode(column: "name", as: String.self),
                    component: try row.decode(column: "component", as: String.self),
                    type: MonitorType(rawValue: try row.decode(column: "type", as: String.self)) ?? .http,
                    from: MonitorStatus(rawValue: try row.decode(column: "from_status", as: String.self)) ?? .pending,
                    to: MonitorStatus(rawValue: try row.decode(column: "to_status", as: String.self)) ?? .pending,
                    cause: try row.decode(column: "cause", as: String.self), duringMaintenance: try row.decode(column: "during_maintenance", as: Bool.self),
                    at: Date(millisecondsSince1970: try row.decode(column: "effective_at", as: Int64.self)))
                return (try row.decode(column: "id", as: Int64.self), signal)
            }
        }
    }

    public func resolutionSignals(after position: Int64, limit: Int) async throws -> [(position: Int64, signal: IssueResolvedSignal?)] {
        try await backend.read { db in
            // Every resolution is written as a status change in the issue's activity.
            try await db.raw("""
                SELECT a.id, a.issue_id, a.data, a.created_at, i.title, i.project_id, p.organization_id
                FROM issue_activity a JOIN issues i ON i.id = a.issue_id JOIN projects p ON p.id = i.project_id
                WHERE a.id > \(bind: position) AND a.kind = \(bind: IssueActivity.Kind.setStatus.rawValue)
                ORDER BY a.id LIMIT \(bind: limit)
                """).all().map { row -> (position: Int64, signal: IssueResolvedSignal?) in
                let data = (try? JSONDecoder().decode([String: String].self, from: Data(try row.decode(column: "data", as: String.self).utf8))) ?? [:]
                let position = try row.decode(column: "id", as: Int64.self)
                guard data["status"] == IssueStatus.resolved.rawValue else { return (position, nil) }
                return (position, IssueResolvedSignal(
                    organizationID: OrganizationID(try row.decode(column: "organization_id", as: Int64.self)),
                    projectID: ProjectID(try row.decode(column: "project_id", as: Int64.self)),
                    issueID: try row.decode(column: "issue_id", as: Int64.self), issueTitle: try row.decode(column: "title", as: String.self),
                    at: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self))))
            }
        }
    }

    public func latestPositions() async throws -> (events: Int64, monitors: Int64, resolutions: Int64, detections: Int64) {
        try await backend.read { db in
            let events = try await db.raw("SELECT MAX(id) AS n FROM events").first(decodingColumn: "n", as: Int64?.self) ?? nil
            let monitors = try await db.raw("SELECT MAX(id) AS n FROM monitor_events").first(decodingColumn: "n", as: Int64?.self) ?? nil
            let resolutions = try await db.raw("SELECT MAX(id) AS n FROM issue_activity").first(decodingColumn: "n", as: Int64?.self) ?? nil
            let detections = try await db.raw("SELECT MAX(id) AS n FROM detections").first(decodingColumn: "n", as: Int64?.self) ?? nil
            return (events ?? 0, monitors ?? 0, resolutions ?? 0, detections ?? 0)
        }
    }

    public func detectionSignals(after position: Int64, limit: Int) async throws -> [(position: Int64, signal: DetectionSignal)] {
        try await backend.read { db in
            try await db.raw("""
                SELECT d.id, d.organization_id, d.kind, d.detection_id, d.project_id, d.issue_id, d.title, d.detail, d.at,
                       COALESCE(i.severity, r.priority) AS severity
                FROM detections d LEFT JOIN issues i ON i.id = d.issue_id
                LEFT JOIN user_reports r ON d.kind = 'user_report' AND r.id = d.detection_id
                WHERE d.id > \(bind: position) ORDER BY d.id LIMIT \(bind: limit)
                """).all().map { row in
                let signal = DetectionSignal(
                    organizationID: OrganizationID(try row.decode(column: "organization_id", as: Int64.self)),
                    kind: DetectionSignal.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .spike,
                    detectionID: try row.decode(column: "detection_id", as: Int64.self),
                    projectID: try row.decode(column: "project_id", as: Int64?.self).map(ProjectID.init), issueID: try row.decode(column: "issue_id", as: Int64?.self),
                    title: try row.decode(column: "title", as: String.self), detail: try row.decode(column: "detail", as: String.self),
                    issueSeverity: try row.decode(column: "severity", as: String?.self).flatMap(IssueSeverity.init(rawValue:)),
                    at: Date(millisecondsSince1970: try row.decode(column: "at", as: Int64.self)))
                return (try row.decode(column: "id", as: Int64.self), signal)
            }
        }
    }

    /// Counts for a batch of events, read once per issue and project rather than per event:
    /// at the batch's last event, then for each earlier event minus the batch's later events of
    /// the same issue or project. Windows are by event time for issues and by arrival for a
    /// project's rate, carried from round to round (``SlidingEventCounts``); a user count is the distinct users at the batch's
    /// end, capped by the event count, so a batch never fires a user threshold late. Distinct
    /// users (which need the rows, not the index) are counted only past the largest threshold
    /// asked for, and only up to one more than it: enough to decide, bounded in work.
    public func facts(for batch: [(position: Int64, signal: EventSignal)], windows: Set<Int>, userThresholds: [Int: Int],
                      projectRate: Bool) async throws -> [SignalFacts] {
        guard let last = batch.last else { return [] }
        let lastID = last.position
        let at = last.signal.at.millisecondsSince1970
        let issues = Set(batch.map(\.signal.issueID))
        let projects = Set(batch.map(\.signal.projectID.rawValue))
        let keys = Set(issues.flatMap { issue in windows.map { SlidingEventCounts.Key(scope: .issue, id: issue, windowSeconds: $0) } })
            .union(projectRate ? Set(projects.map { SlidingEventCounts.Key(scope: .project, id: $0, windowSeconds: 60) }) : [])
        let (events, users, rates) = try await backend.read { [self] db in
            let counts = try await self.slidingCounts.counts(keys, through: lastID, at: at, db: db)
            var events: [Int64: [Int: Int]] = [:], users: [Int64: [Int: Int]] = [:], rates: [Int64: Int] = [:]
            for (key, count) in counts {
                switch key.scope {
                case .issue: events[key.id, default: [:]][key.windowSeconds] = count
                case .project: rates[key.id] = count
                }
            }
            for issue in issues {
                for (window, threshold) in userThresholds where (events[issue]?[window] ?? 0) > threshold {
                    let since = at - Int64(window) * 1000
                    users[issue, default: [:]][window] = try await db.raw("""
                        SELECT COUNT(*) AS n FROM (SELECT DISTINCT user_key FROM events
                            WHERE issue_id = \(bind: issue) AND timestamp > \(bind: since) AND id <= \(bind: lastID) AND user_key IS NOT NULL
                            LIMIT \(bind: threshold + 1)) AS u
                        """).first(decodingColumn: "n", as: Int.self) ?? 0
                }
            }
            return (events, users, rates)
        }
        // Walk backwards: each event's counts are the end counts minus the events after it.
        var laterInIssue: [Int64: Int] = [:], laterInProject: [Int64: Int] = [:]
        var facts = [SignalFacts](repeating: SignalFacts(), count: batch.count)
        for index in batch.indices.reversed() {
            let signal = batch[index].signal
            let later = laterInIssue[signal.issueID, default: 0]
            var fact = SignalFacts()
            for window in windows {
                let count = max(0, (events[signal.issueID]?[window] ?? 0) - later)
                fact.issueEvents[window] = count
                fact.issueUsers[window] = min(users[signal.issueID]?[window] ?? 0, count)
            }
            fact.projectEventsLastMinute = max(0, (rates[signal.projectID.rawValue] ?? 0) - laterInProject[signal.projectID.rawValue, default: 0])
            facts[index] = fact
            laterInIssue[signal.issueID, default: 0] += 1
            laterInProject[signal.projectID.rawValue, default: 0] += 1
        }
        return facts
    }

    static func nonEmpty(_ text: String) -> String? { text.isEmpty ? nil : text }
}
