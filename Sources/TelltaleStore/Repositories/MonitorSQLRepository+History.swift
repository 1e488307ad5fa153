public import Foundation
import SQLKit
public import TelltaleCore

extension MonitorSQLRepository {
    /// Adds one result to its hour's running figures (inside the recording transaction).
    /// Adds results to their hours' figures: one row per monitor and hour, one statement.
    static func addToHours(_ results: [CheckResult], direct: any DirectStatements) async throws {
        struct Key: Hashable { var monitor: Int64; var hour: Int64 }
        var figures: [Key: (checks: Int64, failures: Int64, timed: Int64, sum: Double, max: Double?)] = [:]
        var order: [Key] = []
        for result in results {
            let key = Key(monitor: result.monitorID.rawValue, hour: result.checkedAt.millisecondsSince1970 / 3_600_000 * 3_600_000)
            let timed = result.verdict.isFailure ? nil : result.responseMilliseconds
            if figures[key] == nil { order.append(key) }
            var current = figures[key] ?? (0, 0, 0, 0, nil)
            current.checks += 1
            if result.verdict.isFailure { current.failures += 1 }
            if let timed {
                current.timed += 1
                current.sum += timed
                current.max = Swift.max(current.max ?? timed, timed)
            }
            figures[key] = current
        }
        guard !order.isEmpty else { return }
        let set = """
            checks = monitor_hourly.checks + excluded.checks, failures = monitor_hourly.failures + excluded.failures,
            timed = monitor_hourly.timed + excluded.timed, sum_ms = monitor_hourly.sum_ms + excluded.sum_ms,
            max_ms = CASE WHEN excluded.max_ms IS NULL THEN monitor_hourly.max_ms
                          WHEN monitor_hourly.max_ms IS NULL OR excluded.max_ms > monitor_hourly.max_ms THEN excluded.max_ms
                          ELSE monitor_hourly.max_ms END
            """
        // Sorted keys: concurrent writers on PostgreSQL take the rows' locks in one order.
        let rows = order.sorted { ($0.monitor, $0.hour) < ($1.monitor, $1.hour) }.map { key -> [SQLCell] in
            let value = figures[key]!
            return [.int(key.monitor), .int(key.hour), .int(value.checks), .int(value.failures), .int(value.timed), .double(value.sum),
                    value.max.map(SQLCell.double) ?? .null]
        }
        for start in stride(from: 0, to: rows.count, by: 1_000) {
            try await direct.insert(into: "monitor_hourly", columns: ["monitor_id", "hour", "checks", "failures", "timed", "sum_ms", "max_ms"],
                                    rows: Array(rows[start..<min(start + 1_000, rows.count)]),
                                    onConflict: .update(columns: ["monitor_id", "hour"], set: set))
        }
    }

    public func hourly(monitorIDs: [MonitorID], since: Date) async throws -> [MonitorID: [HourlyFigures]] {
        guard !monitorIDs.isEmpty else { return [:] }
        let hour = since.millisecondsSince1970 / 3_600_000 * 3_600_000
        let rows = try await backend.read { db in
            try await db.select().columns("monitor_id", "hour", "checks", "failures", "timed", "sum_ms", "max_ms", "p50_ms", "p95_ms", "p99_ms")
                .from("monitor_hourly")
                .where("monitor_id", .in, SQLBind.group(monitorIDs.map(\.rawValue)))
                .where("hour", .greaterThanOrEqual, SQLBind(hour))
                .orderBy("hour")
                .all()
                .map { row -> (MonitorID, HourlyFigures) in
                    let timed = try row.decode(column: "timed", as: Int.self)
                    let sum = try row.decode(column: "sum_ms", as: Double.self)
                    return (MonitorID(try row.decode(column: "monitor_id", as: Int64.self)), HourlyFigures(
                        hour: Date(millisecondsSince1970: try row.decode(column: "hour", as: Int64.self)),
                        checks: try row.decode(column: "checks", as: Int.self),
                        failures: try row.decode(column: "failures", as: Int.self),
                        meanMilliseconds: timed > 0 ? sum / Double(timed) : nil,
                        maxMilliseconds: try row.decode(column: "max_ms", as: Double?.self),
                        p50: try row.decode(column: "p50_ms", as: Double?.self),
                        p95: try row.decode(column: "p95_ms", as: Double?.self),
                        p99: try row.decode(column: "p99_ms", as: Double?.self)))
                }
        }
        var grouped: [MonitorID: [HourlyFigures]] = [:]
        for (id, figures) in rows { grouped[id, default: []].append(figures) }
        return grouped
    }

    public func rollUpHours(before: Date) async throws -> Int {
        let limit = before.millisecondsSince1970 / 3_600_000 * 3_600_000
        // Finished hours whose percentiles are not yet computed, a bounded batch per call.
        let pending = try await backend.read { db in
            try await db.select().columns("monitor_id", "hour").from("monitor_hourly")
                .where("p50_ms", .is, SQLLiteral.null).where("timed", .greaterThan, SQLBind(0))
                .where("hour", .lessThan, SQLBind(limit))
                .limit(500).all()
                .map { (try $0.decode(column: "monitor_id", as: Int64.self), try $0.decode(column: "hour", as: Int64.self)) }
        }
        for (monitor, hour) in pending {
            let times = try await backend.read { db in
                try await db.select().column("response_ms").from("monitor_results")
                    .where("monitor_id", .equal, SQLBind(monitor))
                    .where("checked_at", .greaterThanOrEqual, SQLBind(hour)).where("checked_at", .lessThan, SQLBind(hour + 3_600_000))
                    .where("response_ms", .isNot, SQLLiteral.null).where("verdict", .notEqual, SQLBind(CheckVerdict.down.rawValue))
                    .all(decodingColumn: "response_ms", as: Double.self)
            }
            let figures = ResponsePercentiles(times)
            try await backend.write { db in
                try await db.update("monitor_hourly")
                    .set("p50_ms", to: SQLBind(figures.p50 ?? 0)).set("p95_ms", to: SQLBind(figures.p95 ?? 0)).set("p99_ms", to: SQLBind(figures.p99 ?? 0))
                    .where("monitor_id", .equal, SQLBind(monitor)).where("hour", .equal, SQLBind(hour)).run()
            }
        }
        return pending.count
    }

    public func pausedPeriods(monitorIDs: [MonitorID], overlapping range: TimeRange) async throws -> [MonitorID: [TimeRange]] {
        guard !monitorIDs.isEmpty else { return [:] }
        let rows = try await backend.read { db in
            try await db.select().columns("monitor_id", "from_status", "to_status", "effective_at").from("monitor_events")
                .where("monitor_id", .in, SQLBind.group(monitorIDs.map(\.rawValue)))
                .where { $0.where("to_status", .equal, SQLBind("paused")).orWhere("from_status", .equal, SQLBind("paused")) }
                .orderBy("id")
                .all()
                .map { row in
                    (MonitorID(try row.decode(column: "monitor_id", as: Int64.self)), try row.decode(column: "to_status", as: String.self) == "paused",
                     Date(millisecondsSince1970: try row.decode(column: "effective_at", as: Int64.self)))
                }
        }
        var open: [MonitorID: Date] = [:]
        var periods: [MonitorID: [TimeRange]] = [:]
        for (id, pausing, at) in rows {
            if pausing {
                open[id] = at
            } else if let start = open.removeValue(forKey: id) {
                if let clipped = TimeRange(start: start, end: at).clamped(to: range) { periods[id, default: []].append(clipped) }
            }
        }
        for (id, start) in open {
            if let clipped = TimeRange(start: start, end: max(start, range.end)).clamped(to: range) { periods[id, default: []].append(clipped) }
        }
        return periods
    }

    public func setFailureEvent(_ id: MonitorID, eventID: String?) async throws {
        try await backend.write { db in
            try await db.update("monitors").set("failure_event_id", to: SQLBind(eventID)).where("id", .equal, SQLBind(id.rawValue)).run()
        }
    }

    public func failureEvent(_ id: MonitorID) async throws -> String? {
        try await backend.read { db in
            try await db.select().column("failure_event_id").from("monitors").where("id", .equal, SQLBind(id.rawValue))
                .first(decodingColumn: "failure_event_id", as: String?.self) ?? nil
        }
    }

    public func page(organizationID: OrganizationID, status: MonitorStatus?, text: String?, offset: Int, limit: Int) async throws -> (monitors: [Monitor], total: Int) {
        let pattern = text.map { "%" + $0.lowercased().replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%" }
        return try await backend.read { db in
            func filtered(_ query: SQLSelectBuilder) -> SQLSelectBuilder {
                var query = query.from("monitors").where("organization_id", .equal, SQLBind(organizationID.rawValue))
                if let status { query = query.where("status", .equal, SQLBind(status.rawValue)) }
                if let pattern {
                    query = query.where {
                        $0.where(SQLFunction("LOWER", args: SQLColumn("name")), .like, SQLBind(pattern))
                            .orWhere(SQLFunction("LOWER", args: SQLColumn("component")), .like, SQLBind(pattern))
                    }
                }
                return query
            }
            let total = try await filtered(db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n"))
                .first(decodingColumn: "n", as: Int.self) ?? 0
            let monitors = try await filtered(db.select().columns(MonitorRows.columns))
                .orderBy("component").orderBy("name").orderBy("id")
                .offset(offset).limit(limit)
                .all().map { try MonitorRows.monitor($0, cipher) }
            return (monitors, total)
        }
    }

    public func statusCounts(organizationID: OrganizationID) async throws -> [MonitorStatus: Int] {
        try await backend.read { db in
            var counts: [MonitorStatus: Int] = [:]
            for row in try await db.select().column("status").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("monitors")
                .where("organization_id", .equal, SQLBind(organizationID.rawValue)).groupBy("status").all() {
                if let status = MonitorStatus(rawValue: try row.decode(column: "status", as: String.self)) {
                    counts[status] = try row.decode(column: "n", as: Int.self)
                }
            }
            return counts
        }
    }

    public func events(organizationID: OrganizationID, after: Int64, limit: Int) async throws -> [MonitorEvent] {
        try await backend.read { db in
            try await db.select().columns(MonitorRows.eventColumns).from("monitor_events")
                .where("organization_id", .equal, SQLBind(organizationID.rawValue)).where("id", .greaterThan, SQLBind(after))
                .orderBy("id").limit(limit).all().map(MonitorRows.event)
        }
    }

    public func lastEventID(organizationID: OrganizationID) async throws -> Int64 {
        try await backend.read { db in
            try await db.select().column(SQLFunction("MAX", args: SQLColumn("id")), as: "last").from("monitor_events")
                .where("organization_id", .equal, SQLBind(organizationID.rawValue))
                .first(decodingColumn: "last", as: Int64?.self) ?? nil
        } ?? 0
    }
}
