public import Foundation
import SQLKit
public import TelltaleCore

extension AnalysisSQL {
    /// How many other issues a correlation weighs per kind of evidence.
    static let correlationCandidates = 200
    /// Temporal evidence weighs the others this many at most (their activity is counted), and
    /// looks at the target's busiest buckets only: what else happens when it peaks.
    static let temporalCandidates = 25
    static let targetPeaks = 60
    /// Shared users are looked up for this many of the target's users.
    static let sampledUsers = 100

    public func correlationData(issue: Issue, organizationID: OrganizationID, since: Date) async throws -> CorrelationData {
        try await backend.read { db in
            let projects = try await Self.projectIDs(db, organizationID: organizationID)
            let from = since.millisecondsSince1970 / Self.bucket * Self.bucket
            // Temporal: the target's busiest buckets, then who is active in them or next to them.
            let targetBuckets = Set(try await db.raw("""
                SELECT bucket FROM issue_counts WHERE issue_id = \(bind: issue.id) AND bucket >= \(bind: from) ORDER BY n DESC LIMIT \(bind: Self.targetPeaks)
                """).all(decodingColumn: "bucket", as: Int64.self))
            let neighbourhood = Array(Set(targetBuckets.flatMap { [$0 - Self.bucket, $0, $0 + Self.bucket] })).sorted()
            // The others most often active around those buckets, ranked by the database (a busy
            // target's neighbourhood holds most issues of the organization)...
            var ranked: [Int64: Int] = [:]
            if !neighbourhood.isEmpty, !projects.isEmpty {
                for row in try await db.raw("""
                    SELECT issue_id, COUNT(*) AS n FROM issue_counts WHERE project_id IN \(group: projects) AND bucket IN \(group: neighbourhood)
                      AND issue_id <> \(bind: issue.id) GROUP BY issue_id ORDER BY COUNT(*) DESC, issue_id LIMIT \(bind: Self.temporalCandidates)
                    """).all() {
                    ranked[try row.decode(column: "issue_id", as: Int64.self)] = try row.decode(column: "n", as: Int.self)
                }
            }
            // ...then, for those, how many of the target's buckets have them in the same or a neighbouring one.
            var near: [Int64: Set<Int64>] = [:]
            if !ranked.isEmpty {
                for row in try await db.raw("""
                    SELECT issue_id, bucket FROM issue_counts WHERE issue_id IN \(group: Array(ranked.keys)) AND bucket IN \(group: neighbourhood)
                    """).all() {
                    near[try row.decode(column: "issue_id", as: Int64.self), default: []].insert(try row.decode(column: "bucket", as: Int64.self))
                }
            }
            var together: [Int64: Int] = [:]
            for (other, buckets) in near {
                together[other] = targetBuckets.filter { buckets.contains($0) || buckets.contains($0 - Self.bucket) || buckets.contains($0 + Self.bucket) }.count
            }
            let temporal = Array(together.keys)
            var active: [Int64: Int] = [:]
            for chunk in temporal.chunks(of: 500) {
                for row in try await db.raw("""
                    SELECT issue_id, COUNT(*) AS n FROM issue_counts WHERE issue_id IN \(group: Array(chunk)) AND bucket >= \(bind: from) GROUP BY issue_id
                    """).all() {
                    active[try row.decode(column: "issue_id", as: Int64.self)] = try row.decode(column: "n", as: Int.self)
                }
            }
            // Users: who else the target's users ran into.
            // Counted among a sample of the target's users, so scaled up to all of them.
            let userScale = max(1, Double(issue.userCount) / Double(Self.sampledUsers))
            var sharedUsers: [Int64: Int] = [:]
            // Grouped without a join: issues of other organizations (user keys can coincide) are
            // dropped below, once the few named issues are read; merged issues keep no users.
            for row in try await db.raw("""
                SELECT issue_id, COUNT(*) AS n FROM issue_users
                WHERE user_key IN (SELECT user_key FROM issue_users WHERE issue_id = \(bind: issue.id) LIMIT \(bind: Self.sampledUsers))
                  AND issue_id <> \(bind: issue.id)
                GROUP BY issue_id ORDER BY COUNT(*) DESC LIMIT \(bind: 2 * Self.correlationCandidates)
                """).all() {
                sharedUsers[try row.decode(column: "issue_id", as: Int64.self)] = Int((Double(try row.decode(column: "n", as: Int.self)) * userScale).rounded())
            }
            let (targetTraces, sharedTraces) = try await Self.sharedTraces(db, issueID: issue.id, projects: projects)
            // Component: the same culprit, or the same module in another function.
            let module = PatternFinder.component(issue.culprit) ?? issue.culprit
            let sameComponent = issue.culprit.isEmpty ? [] : try await db.raw("""
                SELECT id FROM issues WHERE project_id IN \(group: projects) AND id <> \(bind: issue.id) AND merged_into IS NULL
                  AND (culprit = \(bind: issue.culprit) OR culprit LIKE \(bind: module + " in %"))
                ORDER BY last_seen DESC LIMIT \(bind: Self.correlationCandidates)
                """).all(decodingColumn: "id", as: Int64.self)
            let named = Set(temporal).union(sharedUsers.keys).union(sharedTraces.keys).union(sameComponent)
            let inOrganization = Set(projects)
            let issues = try await Self.others(db, Array(named)).filter { inOrganization.contains($0.value.projectID.rawValue) }
            sharedUsers = sharedUsers.filter { issues[$0.key] != nil }
            return CorrelationData(
                targetBuckets: targetBuckets.count, activeBuckets: active, together: together.filter { active[$0.key] != nil }, sharedUsers: sharedUsers,
                sharedTraces: sharedTraces, targetTraces: targetTraces, issues: issues, sameComponent: sameComponent,
                buckets: Int(max(1, (Date().millisecondsSince1970 - from) / Self.bucket)))
        }
    }

    /// The target's most recent traces, and the other issues with events in them. There is no
    /// index on trace ids (it would cost ingest), so each trace is looked up among the events
    /// that arrived within a minute of the target's event in it.
    static func sharedTraces(_ db: any SQLDatabase, issueID: Int64, projects: [Int64]) async throws -> (Int, [Int64: Int]) {
        let rows = try await db.raw("""
            SELECT trace_id, received_at FROM events WHERE issue_id = \(bind: issueID) AND trace_id IS NOT NULL ORDER BY timestamp DESC LIMIT 50
            """).all()
        var at: [String: Int64] = [:]
        for row in rows { at[try row.decode(column: "trace_id", as: String.self)] = try row.decode(column: "received_at", as: Int64.self) }
        // Traces close in time are looked up together.
        var clusters: [(from: Int64, to: Int64, traces: [String])] = []
        for (trace, time) in at.sorted(by: { $0.value < $1.value }) {
            if let last = clusters.last, time - 60_000 <= last.to {
                clusters[clusters.count - 1].to = time + 60_000
                clusters[clusters.count - 1].traces.append(trace)
            } else {
                clusters.append((time - 60_000, time + 60_000, [trace]))
            }
        }
        var shared: [Int64: Set<String>] = [:]
        for cluster in clusters {
            for row in try await db.raw("""
                SELECT issue_id, trace_id FROM events WHERE project_id IN \(group: projects) AND received_at >= \(bind: cluster.from)
                  AND received_at <= \(bind: cluster.to) AND trace_id IN \(group: cluster.traces) AND issue_id <> \(bind: issueID)
                """).all() {
                guard let other = try row.decode(column: "issue_id", as: Int64?.self) else { continue }
                shared[other, default: []].insert(try row.decode(column: "trace_id", as: String.self))
            }
        }
        return (at.count, shared.mapValues(\.count))
    }

    static func others(_ db: any SQLDatabase, _ ids: [Int64]) async throws -> [Int64: CorrelationData.Other] {
        var result: [Int64: CorrelationData.Other] = [:]
        for chunk in ids.chunks(of: 500) {
            for row in try await db.raw("""
                SELECT id, project_id, title, culprit, times_seen, user_count, first_seen, level, severity, business_impact FROM issues WHERE id IN \(group: Array(chunk))
                """).all() {
                let other = try Self.other(row)
                result[other.issueID] = other
            }
        }
        return result
    }

    static func other(_ row: any SQLRow) throws -> CorrelationData.Other {
        CorrelationData.Other(
            issueID: try row.decode(column: "id", as: Int64.self), projectID: ProjectID(try row.decode(column: "project_id", as: Int64.self)),
            title: try row.decode(column: "title", as: String.self), culprit: try row.decode(column: "culprit", as: String.self),
            events: try row.decode(column: "times_seen", as: Int.self), users: try row.decode(column: "user_count", as: Int.self),
            firstSeen: Date(millisecondsSince1970: try row.decode(column: "first_seen", as: Int64.self)),
            severity: try (try row.decode(column: "severity", as: String?.self)).flatMap(IssueSeverity.init(rawValue:))
                ?? EventLevel(rawValue: try row.decode(column: "level", as: String.self)).map(IssueSeverity.of),
            impact: (try row.decode(column: "business_impact", as: String?.self)).flatMap(BusinessImpact.init(rawValue:)))
    }

    public func countsAround(projectIDs: [ProjectID], issueID: Int64?, at: Date, minimum: Int) async throws -> [(issue: CorrelationData.Other, before: Int, after: Int)] {
        guard !projectIDs.isEmpty else { return [] }
        return try await backend.read { db in
            let start = at.millisecondsSince1970 / Self.bucket * Self.bucket
            let which: SQLQueryString = issueID.map { "issue_id = \(bind: $0)" } ?? "project_id IN \(group: projectIDs.map(\.rawValue))"
            var counts: [Int64: (Int, Int)] = [:]
            for row in try await db.raw("""
                SELECT issue_id, CAST(SUM(CASE WHEN bucket < \(bind: start) THEN n ELSE 0 END) AS BIGINT) AS before,
                       CAST(SUM(CASE WHEN bucket >= \(bind: start) THEN n ELSE 0 END) AS BIGINT) AS after
                FROM issue_counts WHERE \(which) AND bucket >= \(bind: start - Self.hour) AND bucket < \(bind: start + 15 * 60_000)
                GROUP BY issue_id
                """).all() {
                let after = try row.decode(column: "after", as: Int.self)
                guard after >= minimum else { continue }
                counts[try row.decode(column: "issue_id", as: Int64.self)] = (try row.decode(column: "before", as: Int.self), after)
            }
            let issues = try await Self.others(db, Array(counts.keys))
            return counts.compactMap { id, pair in issues[id].map { ($0, pair.0, pair.1) } }.sorted { $0.after > $1.after }
        }
    }
}
