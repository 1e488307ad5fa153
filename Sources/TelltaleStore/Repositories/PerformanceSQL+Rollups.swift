public import Foundation
import SQLKit
public import TelltaleCore

extension PerformanceSQL {
    /// Merges a slice of unrolled minute rows into their hourly and daily rows and marks them
    /// rolled, in one transaction. Only the rollup job writes rollups, so read-merge-write is safe.
    public func rollUp(before: Date, limit: Int) async throws -> Int {
        let cutoff = before.millisecondsSince1970
        return try await backend.write { db in
            let rows = try await db.raw("""
                SELECT id, \(unsafeRaw: Self.columns) FROM perf_minutes WHERE rolled = \(bind: false) AND bucket < \(bind: cutoff)
                ORDER BY bucket LIMIT \(bind: limit)
                """).all()
            guard !rows.isEmpty else { return 0 }
            var ids: [Int64] = []
            var additions: [RollupKey: DurationStats] = [:]
            for row in rows {
                ids.append(try row.decode(column: "id", as: Int64.self))
                guard let (key, stats) = try PerformanceRows.decode(row) else { continue }
                for granularity in [PerformanceTally.hour, PerformanceTally.day] {
                    additions[RollupKey(key: key.rebucketed(granularity), granularity: granularity), default: DurationStats()].merge(stats)
                }
            }
            // Read the rollup rows these keys already have, by (project, kind, granularity, bucket).
            let slots = Set(additions.keys.map { RollupSlot(project: $0.key.projectID, kind: $0.key.kind.rawValue, granularity: $0.granularity, bucket: $0.key.bucket) })
            for slot in slots {
                for row in try await db.raw("""
                    SELECT \(unsafeRaw: Self.columns) FROM perf_rollups WHERE project_id = \(bind: slot.project) AND kind = \(bind: slot.kind)
                    AND granularity = \(bind: slot.granularity) AND bucket = \(bind: slot.bucket)
                    """).all() {
                    guard let (key, stats) = try PerformanceRows.decode(row) else { continue }
                    let existing = RollupKey(key: key, granularity: slot.granularity)
                    if additions[existing] != nil { additions[existing]!.merge(stats) }
                }
            }
            let columns = ["granularity"] + PerformanceRows.minuteColumns
            for chunk in Array(additions).chunks(of: 100) {
                var values: [SQLQueryString] = []
                for (rollup, stats) in chunk {
                    let cells = [SQLCell.int(rollup.granularity)] + PerformanceRows.cells(key: rollup.key, stats: stats, withBucket: true)
                    values.append("(\(cells.map { SQLQueryString("\($0.bind)") }.joined(separator: ", ")))")
                }
                try await db.raw("""
                    INSERT INTO perf_rollups (\(unsafeRaw: columns.joined(separator: ", "))) VALUES \(values.joined(separator: ", "))
                    ON CONFLICT (\(unsafeRaw: PerformanceRows.rollupKeyColumns.joined(separator: ", "))) DO UPDATE SET \(unsafeRaw: PerformanceRows.rollupUpdate)
                    """).run()
            }
            for chunk in ids.chunks(of: 500) {
                try await db.raw("UPDATE perf_minutes SET rolled = \(bind: true) WHERE id IN \(group: Array(chunk))").run()
            }
            return rows.count
        }
    }

    public func importRollups(granularity: Int64, _ stats: [PerformanceKey: DurationStats]) async throws {
        let columns = ["granularity"] + PerformanceRows.minuteColumns
        try await backend.writeDirect { _, direct in
            for chunk in Array(stats).chunks(of: 100) {
                try await direct.insert(into: "perf_rollups", columns: columns,
                                        rows: chunk.map { [SQLCell.int(granularity)] + PerformanceRows.cells(key: $0.key, stats: $0.value, withBucket: true) },
                                        onConflict: .update(columns: PerformanceRows.rollupKeyColumns, set: PerformanceRows.rollupUpdate))
            }
        }
    }

    public func forget(now: Date) async throws {
        let at = now.millisecondsSince1970
        try await backend.write { db in
            try await db.raw("DELETE FROM perf_minutes WHERE rolled = \(bind: true) AND bucket < \(bind: at - Self.minuteKeeping)").run()
            try await db.raw("DELETE FROM perf_rollups WHERE granularity = \(bind: PerformanceTally.hour) AND bucket < \(bind: at - Self.hourKeeping)").run()
            try await db.raw("DELETE FROM perf_rollups WHERE granularity = \(bind: PerformanceTally.day) AND bucket < \(bind: at - Self.dayKeeping)").run()
        }
    }
}

/// The rollup rows one read touches: a project's kind at one granularity and bucket.
struct RollupSlot: Hashable {
    var project: Int64
    var kind: String
    var granularity: Int64
    var bucket: Int64
}

/// A rollup row's key: the minute key rebucketed, and its granularity.
struct RollupKey: Hashable {
    var key: PerformanceKey
    var granularity: Int64
}
