public import Foundation
import SQLKit
public import TelltaleCore

/// Performance statistics: windows read from hourly and daily rollups plus the minutes not
/// yet rolled up (never raw transactions), the rollup job's merges, samples and release health.
public struct PerformanceSQL: PerformanceRepository {
    let backend: any SQLBackend

    /// Rolled minute rows are kept this long (minute charts cover six hours).
    static let minuteKeeping: Int64 = 25 * PerformanceTally.hour
    /// Hourly rollups are kept this long; daily ones for a year and a bit.
    static let hourKeeping: Int64 = 35 * PerformanceTally.day
    static let dayKeeping: Int64 = 400 * PerformanceTally.day

    static let columns = (["project_id", "bucket"] + PerformanceRows.statColumns).joined(separator: ", ")

    public func stats(_ query: PerformanceQuery) async throws -> [PerformanceKey: DurationStats] {
        try await backend.readDirect { direct in
            var merged: [PerformanceKey: DurationStats] = [:]
            func fold(_ table: String, _ condition: String, _ binds: [SQLCell], from: Int64, to: Int64) async throws {
                let (filter, filterBinds) = Self.filter(query, from: from, to: to)
                for row in try await direct.query("SELECT \(Self.columns) FROM \(table) WHERE \(condition)\(filter)", binds + filterBinds) {
                    try PerformanceRows.fold(row, into: &merged[try PerformanceRows.groupedKey(row, query), default: DurationStats()])
                }
            }
            if let resolution = query.resolution, resolution < PerformanceTally.hour {
                // Minute charts read every minute row of the window, rolled up or not.
                try await fold("perf_minutes", "1 = 1", [], from: query.from, to: query.to)
                return merged
            }
            // Hourly points read hourly rows throughout (a daily row would land on midnight).
            let parts = query.wholeDays
                ? [RollupPlan.Part(granularity: PerformanceTally.day, from: query.from / PerformanceTally.day * PerformanceTally.day, to: query.to)]
                : query.resolution == PerformanceTally.hour
                ? [RollupPlan.Part(granularity: PerformanceTally.hour, from: query.from / PerformanceTally.hour * PerformanceTally.hour, to: query.to)]
                : RollupPlan.parts(from: query.from, to: query.to)
            for part in parts {
                try await fold("perf_rollups", "granularity = ?", [.int(part.granularity)], from: part.from, to: part.to)
            }
            try await fold("perf_minutes", "rolled = ?", [.bool(false)], from: query.from, to: query.to)
            return merged
        }
    }

    /// The rest of a statistics read's WHERE clause (`?` binds), after a first condition.
    static func filter(_ query: PerformanceQuery, from: Int64, to: Int64) -> (String, [SQLCell]) {
        var sql = " AND project_id = ? AND kind = ? AND bucket >= ? AND bucket < ?"
        var binds: [SQLCell] = [.int(query.projectID), .text(query.kind.rawValue), .int(from), .int(to)]
        for (column, value) in [("name", query.name), ("detail", query.detail), ("environment", query.environment), ("release", query.release)] {
            if let value {
                sql += " AND \(column) = ?"
                binds.append(.text(value))
            }
        }
        switch query.segmentDimension {
        case nil: break
        case ""?: sql += " AND segment = ''"
        case let dimension?:
            sql += " AND segment LIKE ?"
            binds.append(.text(dimension + ":%"))
        }
        return (sql, binds)
    }

    static let sampleColumns = "event_id, name, trace_id, status, duration_ms, timestamp, release, environment"

    static func sample(_ row: any SQLRow) throws -> TransactionSample {
        TransactionSample(
            eventID: try row.decode(column: "event_id", as: String.self), name: try row.decode(column: "name", as: String.self),
            traceID: try row.decode(column: "trace_id", as: String?.self), status: try row.decode(column: "status", as: String?.self),
            durationMilliseconds: try row.decode(column: "duration_ms", as: Double.self),
            timestamp: Date(millisecondsSince1970: try row.decode(column: "timestamp", as: Int64.self)),
            release: try row.decode(column: "release", as: String?.self), environment: try row.decode(column: "environment", as: String?.self)
        )
    }

    public func samples(projectID: Int64, eventIDs: [String]) async throws -> [TransactionSample] {
        guard !eventIDs.isEmpty else { return [] }
        return try await backend.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: Self.sampleColumns) FROM transactions WHERE project_id = \(bind: projectID) AND event_id IN \(group: eventIDs)
                """).all().map(Self.sample)
        }
    }

    public func transaction(projectID: Int64, eventID: String) async throws -> (sample: TransactionSample, payload: [UInt8])? {
        try await backend.read { db in
            guard let row = try await db.raw("""
                SELECT \(unsafeRaw: Self.sampleColumns), payload FROM transactions WHERE project_id = \(bind: projectID) AND event_id = \(bind: eventID)
                """).first() else { return nil }
            return (try Self.sample(row), Array(try row.decode(column: "payload", as: Data.self)))
        }
    }

    public func transactions(projectID: Int64, traceID: String, around: Date) async throws -> [TransactionSample] {
        let at = around.millisecondsSince1970
        return try await backend.read { db in
            // Bounded by time on (project_id, timestamp): there is no trace index (it would cost ingest; see IngestSchema).
            try await db.raw("""
                SELECT \(unsafeRaw: Self.sampleColumns) FROM transactions WHERE project_id = \(bind: projectID)
                AND timestamp >= \(bind: at - 600_000) AND timestamp <= \(bind: at + 600_000) AND trace_id = \(bind: traceID)
                ORDER BY timestamp DESC LIMIT 20
                """).all().map(Self.sample)
        }
    }

    public func record(_ tally: PerformanceTally) async throws {
        try await backend.writeDirect { _, direct in
            let writer = PerformanceWriter(direct: direct)
            var candidates: [Int64: [PerformanceKind: Set<String>]] = [:]
            for key in tally.stats.keys where key.kind == .metric { candidates[key.projectID, default: [:]][.metric, default: []].insert(key.name) }
            let allowed = try await writer.admit(candidates, now: Date().timeIntervalSince1970)
            var capped = tally
            for (project, kinds) in allowed {
                capped.rename(.metric) { name in kinds[.metric]?.contains(name) == true || candidates[project]?[.metric]?.contains(name) != true ? name : PerformanceWriter.other }
            }
            try await writer.insert(capped)
        }
    }

    public func recordRegression(projectID: Int64, issueID: Int64?, title: String, detail: String, at: Date) async throws {
        try await recordDetection(.regression, id: issueID ?? 0, projectID: projectID, issueID: issueID, title: title, detail: detail, at: at)
    }

    public func recordThresholdCrossed(projectID: Int64, ruleID: AlertRuleID, title: String, detail: String, at: Date) async throws {
        try await recordDetection(.threshold, id: ruleID.rawValue, projectID: projectID, issueID: nil, title: title, detail: detail, at: at)
    }

    func recordDetection(_ kind: DetectionSignal.Kind, id: Int64, projectID: Int64, issueID: Int64?, title: String, detail: String, at: Date) async throws {
        try await backend.write { db in
            guard let organization = try await db.raw("SELECT organization_id FROM projects WHERE id = \(bind: projectID)")
                .first(decodingColumn: "organization_id", as: Int64.self) else { return }
            try await AnalysisSQL.recordDetection(db, organizationID: organization, kind: kind, id: id, projectID: projectID,
                                                  issueID: issueID, title: title, detail: detail, at: at.millisecondsSince1970)
        }
    }

    public func projectsWithTransactions(since: Int64) async throws -> [Int64] {
        try await backend.read { db in
            // perf_names is small: one row per name a project has used.
            try await db.raw("SELECT DISTINCT project_id FROM perf_names WHERE kind = 'transaction' AND first_seen < \(bind: since + PerformanceTally.day * 36500)")
                .all(decodingColumn: "project_id", as: Int64.self)
        }
    }
}
