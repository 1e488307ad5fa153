public import Foundation
import SQLKit
public import TelltaleCore

/// What the detectors read and write: counts per five minutes and per hour, spikes, patterns,
/// correlation evidence and analyses. Every read is bounded by an index (never a scan of events).
public struct AnalysisSQL: AnalysisRepository {
    let backend: any SQLBackend
    static let bucket = IssueCounts.bucket
    static let hour = EventCounts.hour

    static func projectIDs(_ db: any SQLDatabase, organizationID: OrganizationID? = nil) async throws -> [Int64] {
        var query = db.select().column("id").from("projects")
        if let organizationID { query = query.where("organization_id", .equal, SQLBind(organizationID.rawValue)) }
        return try await query.all(decodingColumn: "id", as: Int64.self)
    }

    // MARK: Spikes

    public func spikeCandidates(since: Date, minimum: Int) async throws -> [SpikeSeries] {
        try await backend.read { db in
            let projects = try await Self.projectIDs(db)
            guard !projects.isEmpty else { return [] }
            let from = since.millisecondsSince1970 / Self.bucket * Self.bucket
            var series: Set<SpikeSeries> = []
            for chunk in projects.chunks(of: 500) {
                let group = Array(chunk)
                for row in try await db.raw("""
                    SELECT DISTINCT issue_id, project_id FROM issue_counts WHERE project_id IN \(group: group) AND bucket >= \(bind: from) AND n >= \(bind: minimum)
                    """).all() {
                    series.insert(SpikeSeries(projectID: ProjectID(try row.decode(column: "project_id", as: Int64.self)), issueID: try row.decode(column: "issue_id", as: Int64.self)))
                }
                for row in try await db.raw("""
                    SELECT project_id FROM issue_counts WHERE project_id IN \(group: group) AND bucket >= \(bind: from)
                    GROUP BY project_id, bucket HAVING SUM(n) >= \(bind: minimum)
                    """).all() {
                    series.insert(SpikeSeries(projectID: ProjectID(try row.decode(column: "project_id", as: Int64.self)), issueID: nil))
                }
            }
            return series.sorted { ($0.projectID.rawValue, $0.issueID ?? 0) < ($1.projectID.rawValue, $1.issueID ?? 0) }
        }
    }

    public func detectorCounts(_ series: [SpikeSeries], hourlyFrom: Date, bucketsFrom: Date) async throws -> [SpikeSeries: SpikeDetector.Counts] {
        try await backend.read { db in
            var result: [SpikeSeries: SpikeDetector.Counts] = [:]
            for s in series { result[s] = SpikeDetector.Counts(hourly: [:], buckets: [:]) }
            let hourFrom = hourlyFrom.millisecondsSince1970, bucketFrom = bucketsFrom.millisecondsSince1970
            let issues = Dictionary(series.compactMap { s in s.issueID.map { ($0, s) } }, uniquingKeysWith: { a, _ in a })
            for chunk in Array(issues.keys).chunks(of: 500) {
                let group = Array(chunk)
                for row in try await db.raw("""
                    SELECT issue_id, bucket / \(unsafeRaw: String(Self.hour)) * \(unsafeRaw: String(Self.hour)) AS h, CAST(SUM(n) AS BIGINT) AS n FROM issue_counts
                    WHERE issue_id IN \(group: group) AND bucket >= \(bind: hourFrom) GROUP BY issue_id, bucket / \(unsafeRaw: String(Self.hour)) * \(unsafeRaw: String(Self.hour))
                    """).all() {
                    let key = issues[try row.decode(column: "issue_id", as: Int64.self)]!
                    result[key]!.hourly[try row.decode(column: "h", as: Int64.self)] = try row.decode(column: "n", as: Int.self)
                }
                for row in try await db.raw("""
                    SELECT issue_id, bucket, n FROM issue_counts WHERE issue_id IN \(group: group) AND bucket >= \(bind: bucketFrom)
                    """).all() {
                    let key = issues[try row.decode(column: "issue_id", as: Int64.self)]!
                    result[key]!.buckets[try row.decode(column: "bucket", as: Int64.self)] = try row.decode(column: "n", as: Int.self)
                }
            }
            let projects = series.filter { $0.issueID == nil }.map(\.projectID.rawValue)
            for chunk in projects.chunks(of: 500) {
                let group = Array(chunk)
                // A project's history comes from its hourly totals, a few hundred rows.
                for row in try await db.raw("""
                    SELECT project_id, hour, CAST(SUM(n) AS BIGINT) AS n FROM event_counts
                    WHERE project_id IN \(group: group) AND hour >= \(bind: hourFrom) GROUP BY project_id, hour
                    """).all() {
                    let key = SpikeSeries(projectID: ProjectID(try row.decode(column: "project_id", as: Int64.self)), issueID: nil)
                    result[key]?.hourly[try row.decode(column: "hour", as: Int64.self)] = try row.decode(column: "n", as: Int.self)
                }
                for row in try await db.raw("""
                    SELECT project_id, bucket, CAST(SUM(n) AS BIGINT) AS n FROM issue_counts
                    WHERE project_id IN \(group: group) AND bucket >= \(bind: bucketFrom) GROUP BY project_id, bucket
                    """).all() {
                    let key = SpikeSeries(projectID: ProjectID(try row.decode(column: "project_id", as: Int64.self)), issueID: nil)
                    result[key]?.buckets[try row.decode(column: "bucket", as: Int64.self)] = try row.decode(column: "n", as: Int.self)
                }
            }
            return result
        }
    }

    static let spikeColumns = "id, project_id, scope, issue_id, started_at, last_at, peak, expected, score, events, detected_at"

    static func spike(_ row: any SQLRow) throws -> Spike {
        Spike(id: try row.decode(column: "id", as: Int64.self), projectID: ProjectID(try row.decode(column: "project_id", as: Int64.self)),
              scope: Spike.Scope(rawValue: try row.decode(column: "scope", as: String.self)) ?? .issue, issueID: try row.decode(column: "issue_id", as: Int64?.self),
              startedAt: Date(millisecondsSince1970: try row.decode(column: "started_at", as: Int64.self)),
              lastAt: Date(millisecondsSince1970: try row.decode(column: "last_at", as: Int64.self)), peak: try row.decode(column: "peak", as: Int.self),
              expected: try row.decode(column: "expected", as: Double.self), score: try row.decode(column: "score", as: Double.self),
              events: try row.decode(column: "events", as: Int.self), detectedAt: Date(millisecondsSince1970: try row.decode(column: "detected_at", as: Int64.self)))
    }

    public func recentSpikes(since: Date) async throws -> [Spike] {
        try await backend.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.spikeColumns) FROM spikes WHERE last_at >= \(bind: since.millisecondsSince1970)").all().map(Self.spike)
        }
    }

    public func saveSpike(_ spike: Spike) async throws -> Spike {
        try await backend.write { db in
            var id = spike.id
            let started = spike.startedAt.millisecondsSince1970, last = spike.lastAt.millisecondsSince1970
            if id == 0 {
                id = try await db.raw("""
                    INSERT INTO spikes (project_id, scope, issue_id, started_at, last_at, peak, expected, score, events, detected_at)
                    VALUES (\(bind: spike.projectID.rawValue), \(bind: spike.scope.rawValue), \(bind: spike.issueID), \(bind: started), \(bind: last),
                            \(bind: spike.peak), \(bind: spike.expected), \(bind: spike.score), 0, \(bind: spike.detectedAt.millisecondsSince1970))
                    RETURNING id
                    """).first(decodingColumn: "id", as: Int64.self) ?? 0
                // A new spike is a detection alert rules can act on.
                let names = try await db.raw("""
                    SELECT p.organization_id, p.slug, i.title FROM projects p LEFT JOIN issues i ON i.id = \(bind: spike.issueID ?? 0)
                    WHERE p.id = \(bind: spike.projectID.rawValue)
                    """).first()
                if let names {
                    let title = try names.decode(column: "title", as: String?.self).map { "Spike: \($0)" }
                        ?? "Spike in \(try names.decode(column: "slug", as: String.self))'s errors"
                    try await Self.recordDetection(
                        db, organizationID: try names.decode(column: "organization_id", as: Int64.self), kind: .spike, id: id, projectID: spike.projectID.rawValue,
                        issueID: spike.issueID, title: title,
                        detail: "\(spike.peak) events in five minutes where \(String(format: "%.1f", spike.expected)) were expected (score \(String(format: "%.1f", spike.score)))",
                        at: spike.detectedAt.millisecondsSince1970)
                }
            } else {
                try await db.raw("""
                    UPDATE spikes SET last_at = \(bind: last), peak = \(bind: spike.peak), expected = \(bind: spike.expected), score = \(bind: spike.score)
                    WHERE id = \(bind: id)
                    """).run()
            }
            let events: SQLQueryString = if let issue = spike.issueID {
                "SELECT COALESCE(SUM(n), 0) FROM issue_counts WHERE issue_id = \(bind: issue) AND bucket >= \(bind: started) AND bucket <= \(bind: last)"
            } else {
                "SELECT COALESCE(SUM(n), 0) FROM issue_counts WHERE project_id = \(bind: spike.projectID.rawValue) AND bucket >= \(bind: started) AND bucket <= \(bind: last)"
            }
            try await db.raw("UPDATE spikes SET events = (\(events)) WHERE id = \(bind: id)").run()
            return try await db.raw("SELECT \(unsafeRaw: Self.spikeColumns) FROM spikes WHERE id = \(bind: id)").first().map(Self.spike) ?? spike
        }
    }

    public func forget(spikesBefore: Date, detectionsBefore: Date) async throws -> Int {
        try await backend.write { db in
            let spikes = try await db.raw("DELETE FROM spikes WHERE last_at < \(bind: spikesBefore.millisecondsSince1970) RETURNING id").all().count
            let detections = try await db.raw("DELETE FROM detections WHERE at < \(bind: detectionsBefore.millisecondsSince1970) RETURNING id").all().count
            return spikes + detections
        }
    }

    public func issueTitles(_ ids: [Int64]) async throws -> [Int64: String] {
        guard !ids.isEmpty else { return [:] }
        return try await backend.read { db in
            var titles: [Int64: String] = [:]
            for chunk in ids.chunks(of: 500) {
                for row in try await db.raw("SELECT id, title FROM issues WHERE id IN \(group: Array(chunk))").all() {
                    titles[try row.decode(column: "id", as: Int64.self)] = try row.decode(column: "title", as: String.self)
                }
            }
            return titles
        }
    }

    public func spikes(projectIDs: [ProjectID], issueID: Int64?, since: Date, limit: Int) async throws -> [Spike] {
        guard !projectIDs.isEmpty else { return [] }
        return try await backend.read { db in
            let issue: SQLQueryString = issueID.map { "AND issue_id = \(bind: $0)" } ?? ""
            return try await db.raw("""
                SELECT \(unsafeRaw: Self.spikeColumns) FROM spikes WHERE project_id IN \(group: projectIDs.map(\.rawValue)) AND last_at >= \(bind: since.millisecondsSince1970) \(issue)
                ORDER BY started_at DESC, id DESC LIMIT \(bind: limit)
                """).all().map(Self.spike)
        }
    }

    // MARK: Escalation

    public func recentCounts(organizationID: OrganizationID, minutes: Int, minimum: Int, now: Date) async throws -> [Int64: Int] {
        try await backend.read { db in
            let projects = try await Self.projectIDs(db, organizationID: organizationID)
            guard !projects.isEmpty else { return [:] }
            // Whole buckets: the window reaches back to the start of the bucket it begins in.
            let from = (now.millisecondsSince1970 - Int64(minutes) * 60_000) / Self.bucket * Self.bucket
            var counts: [Int64: Int] = [:]
            for row in try await db.raw("""
                SELECT issue_id, CAST(SUM(n) AS BIGINT) AS n FROM issue_counts WHERE project_id IN \(group: projects) AND bucket >= \(bind: from)
                GROUP BY issue_id HAVING SUM(n) >= \(bind: minimum)
                """).all() {
                counts[try row.decode(column: "issue_id", as: Int64.self)] = try row.decode(column: "n", as: Int.self)
            }
            return counts
        }
    }

    public func issuesWithUsers(organizationID: OrganizationID, minimum: Int, now: Date) async throws -> [Int64] {
        try await backend.read { db in
            let projects = try await Self.projectIDs(db, organizationID: organizationID)
            guard !projects.isEmpty else { return [] }
            return try await db.raw("""
                SELECT id FROM issues WHERE project_id IN \(group: projects) AND user_count >= \(bind: minimum)
                AND last_seen >= \(bind: now.millisecondsSince1970 - SpikeDetector.dayMilliseconds) AND merged_into IS NULL
                """).all(decodingColumn: "id", as: Int64.self)
        }
    }

    public func classificationStates(issueIDs: [Int64]) async throws -> [(issueID: Int64, current: Classification?, input: ClassificationInput)] {
        guard !issueIDs.isEmpty else { return [] }
        return try await backend.read { db in
            var states: [(issueID: Int64, current: Classification?, input: ClassificationInput)] = []
            for chunk in issueIDs.chunks(of: 500) {
                states += try await ClassificationSQL.inputs(db, where: "i.id IN \(group: Array(chunk))", limit: chunk.count).map { ($0.issueID, $0.current, $0.input) }
            }
            return states
        }
    }

    // MARK: Patterns

    public func patternInputs(organizationID: OrganizationID, since: Date, limit: Int) async throws -> [PatternFinder.Input] {
        try await backend.read { db in
            let projects = try await Self.projectIDs(db, organizationID: organizationID)
            guard !projects.isEmpty else { return [] }
            return try await db.raw("""
                SELECT id, project_id, type, title, culprit, level, severity, first_seen, last_seen, times_seen, user_count, first_release, last_release
                FROM issues WHERE project_id IN \(group: projects) AND last_seen >= \(bind: since.millisecondsSince1970) AND merged_into IS NULL
                ORDER BY last_seen DESC LIMIT \(bind: limit)
                """).all().map { row in
                let level = EventLevel(rawValue: try row.decode(column: "level", as: String.self)) ?? .error
                let releases = Set([try row.decode(column: "first_release", as: String?.self), try row.decode(column: "last_release", as: String?.self)].compactMap { $0 })
                return PatternFinder.Input(
                    issueID: try row.decode(column: "id", as: Int64.self), projectID: ProjectID(try row.decode(column: "project_id", as: Int64.self)),
                    type: try row.decode(column: "type", as: String.self), title: try row.decode(column: "title", as: String.self),
                    culprit: try row.decode(column: "culprit", as: String.self),
                    severity: (try row.decode(column: "severity", as: String?.self)).flatMap(IssueSeverity.init(rawValue:)) ?? IssueSeverity.of(level),
                    firstSeen: Date(millisecondsSince1970: try row.decode(column: "first_seen", as: Int64.self)),
                    lastSeen: Date(millisecondsSince1970: try row.decode(column: "last_seen", as: Int64.self)),
                    events: try row.decode(column: "times_seen", as: Int.self), users: try row.decode(column: "user_count", as: Int.self), releases: releases)
            }
        }
    }

    public func savePatterns(organizationID: OrganizationID, _ found: [PatternFinder.Found], now: Date, forgetBefore: Date) async throws {
        try await backend.write { db in
            let at = now.millisecondsSince1970
            for pattern in found {
                let ids = pattern.issueIDs.prefix(500).map(String.init).joined(separator: ",")
                let existing = try await db.raw("""
                    SELECT id FROM patterns WHERE organization_id = \(bind: organizationID.rawValue) AND kind = \(bind: pattern.kind.rawValue) AND key = \(bind: pattern.key)
                    """).first(decodingColumn: "id", as: Int64.self)
                if let existing {
                    try await db.raw("""
                        UPDATE patterns SET label = \(bind: pattern.label), confidence = \(bind: pattern.confidence), occurrences = \(bind: pattern.occurrences),
                            issue_count = \(bind: pattern.issueIDs.count), project_count = \(bind: pattern.projectCount), release_count = \(bind: pattern.releaseCount),
                            affected_users = \(bind: pattern.affectedUsers), impact_score = \(bind: pattern.impactScore), issue_ids = \(bind: ids),
                            first_seen = \(bind: pattern.firstSeen.millisecondsSince1970), last_seen = \(bind: pattern.lastSeen.millisecondsSince1970),
                            last_detected = \(bind: at)
                        WHERE id = \(bind: existing)
                        """).run()
                    continue
                }
                let id = try await db.raw("""
                    INSERT INTO patterns (organization_id, kind, key, label, confidence, occurrences, issue_count, project_count, release_count,
                        affected_users, impact_score, issue_ids, first_seen, last_seen, first_detected, last_detected)
                    VALUES (\(bind: organizationID.rawValue), \(bind: pattern.kind.rawValue), \(bind: pattern.key), \(bind: pattern.label), \(bind: pattern.confidence),
                        \(bind: pattern.occurrences), \(bind: pattern.issueIDs.count), \(bind: pattern.projectCount), \(bind: pattern.releaseCount),
                        \(bind: pattern.affectedUsers), \(bind: pattern.impactScore), \(bind: ids), \(bind: pattern.firstSeen.millisecondsSince1970),
                        \(bind: pattern.lastSeen.millisecondsSince1970), \(bind: at), \(bind: at))
                    RETURNING id
                    """).first(decodingColumn: "id", as: Int64.self) ?? 0
                // A pattern found for the first time is a detection alert rules can act on.
                try await Self.recordDetection(db, organizationID: organizationID.rawValue, kind: .pattern, id: id, projectID: nil, issueID: nil,
                                               title: "Pattern: \(pattern.label)",
                                               detail: "\(pattern.issueIDs.count) issues, \(pattern.occurrences) events, \(Int((pattern.confidence * 100).rounded()))% confident",
                                               at: at)
            }
            try await db.raw("""
                DELETE FROM patterns WHERE organization_id = \(bind: organizationID.rawValue) AND last_detected < \(bind: forgetBefore.millisecondsSince1970)
                """).run()
        }
    }

    static func recordDetection(_ db: any SQLDatabase, organizationID: Int64, kind: DetectionSignal.Kind, id: Int64, projectID: Int64?, issueID: Int64?,
                                title: String, detail: String, at: Int64) async throws {
        try await db.raw("""
            INSERT INTO detections (organization_id, kind, detection_id, project_id, issue_id, title, detail, at)
            VALUES (\(bind: organizationID), \(bind: kind.rawValue), \(bind: id), \(bind: projectID), \(bind: issueID), \(bind: String(title.prefix(500))),
                    \(bind: String(detail.prefix(1000))), \(bind: at))
            """).run()
    }

    public func patterns(organizationID: OrganizationID, limit: Int) async throws -> [StoredPattern] {
        try await backend.read { db in
            try await db.raw("""
                SELECT * FROM patterns WHERE organization_id = \(bind: organizationID.rawValue) ORDER BY impact_score DESC, id LIMIT \(bind: limit)
                """).all().map { row in
                let ids = try row.decode(column: "issue_ids", as: String.self).split(separator: ",").compactMap { Int64($0) }
                let found = PatternFinder.Found(
                    kind: PatternFinder.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .message, key: try row.decode(column: "key", as: String.self),
                    label: try row.decode(column: "label", as: String.self), confidence: try row.decode(column: "confidence", as: Double.self),
                    occurrences: try row.decode(column: "occurrences", as: Int.self), issueIDs: ids, projectCount: try row.decode(column: "project_count", as: Int.self),
                    releaseCount: try row.decode(column: "release_count", as: Int.self), affectedUsers: try row.decode(column: "affected_users", as: Int.self),
                    firstSeen: Date(millisecondsSince1970: try row.decode(column: "first_seen", as: Int64.self)),
                    lastSeen: Date(millisecondsSince1970: try row.decode(column: "last_seen", as: Int64.self)),
                    impactScore: try row.decode(column: "impact_score", as: Double.self))
                return StoredPattern(id: try row.decode(column: "id", as: Int64.self), organizationID: organizationID, found: found,
                                     firstDetected: Date(millisecondsSince1970: try row.decode(column: "first_detected", as: Int64.self)),
                                     lastDetected: Date(millisecondsSince1970: try row.decode(column: "last_detected", as: Int64.self)))
            }
        }
    }

    // MARK: Analyses

    public func analysis(issueID: Int64) async throws -> StoredAnalysis? {
        try await backend.read { db in
            guard let row = try await db.raw("SELECT * FROM issue_analyses WHERE issue_id = \(bind: issueID)").first() else { return nil }
            return StoredAnalysis(issueID: issueID, provider: try row.decode(column: "provider", as: String.self), model: try row.decode(column: "model", as: String?.self),
                                  analysis: try JSONDecoder().decode(RootCauseAnalysis.self, from: Data(try row.decode(column: "body", as: String.self).utf8)),
                                  note: try row.decode(column: "note", as: String?.self),
                                  createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self)))
        }
    }

    public func saveAnalysis(_ analysis: StoredAnalysis) async throws {
        let body = String(decoding: try JSONEncoder().encode(analysis.analysis), as: UTF8.self)
        try await backend.write { db in
            try await db.raw("""
                INSERT INTO issue_analyses (issue_id, provider, model, body, note, created_at)
                VALUES (\(bind: analysis.issueID), \(bind: analysis.provider), \(bind: analysis.model), \(bind: body), \(bind: analysis.note),
                        \(bind: analysis.createdAt.millisecondsSince1970))
                ON CONFLICT (issue_id) DO UPDATE SET provider = excluded.provider, model = excluded.model, body = excluded.body, note = excluded.note,
                    created_at = excluded.created_at
                """).run()
        }
    }
}
