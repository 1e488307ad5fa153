import Foundation
import SQLKit
import TelltaleCore

/// Writes a batch's performance statistics inside the ingest transaction: names past a
/// project's cap become `<other>`, then one `perf_minutes` row per key and the users seen.
struct PerformanceWriter {
    let direct: any DirectStatements

    /// Distinct names a project may use per kind before new ones fold into `other`.
    static let caps: [PerformanceKind: Int] = [.transaction: 1000, .span: 2000, .measurement: 100, .metric: 500]
    static let other = "<other>"

    func write(_ transactions: [TransactionRecord], now: Double) async throws {
        let readable = transactions.compactMap { record in record.facts.map { (record, $0) } }
        guard !readable.isEmpty else { return }
        var candidates: [Int64: [PerformanceKind: Set<String>]] = [:]
        for (record, facts) in readable {
            let project = record.projectID.rawValue
            candidates[project, default: [:]][.transaction, default: []].insert(facts.name)
            for span in facts.spans { candidates[project, default: [:]][.span, default: []].insert(span.group) }
            for name in facts.measurements.keys { candidates[project, default: [:]][.measurement, default: []].insert(name) }
        }
        let allowed = try await admit(candidates, now: now)
        var tally = PerformanceTally()
        for (record, facts) in readable {
            let names = allowed[record.projectID.rawValue] ?? [:]
            var capped = facts
            capped.measurements = Dictionary(facts.measurements.map { (names[.measurement]?.contains($0.key) == true ? $0.key : Self.other, $0.value) },
                                             uniquingKeysWith: { a, _ in a })
            tally.add(capped, projectID: record.projectID.rawValue, eventID: record.eventID, environment: record.environment, release: record.release,
                      threshold: record.apdexThreshold) { kind, name in
                names[kind]?.contains(name) == true ? name : Self.other
            }
        }
        try await insert(tally)
    }

    /// Registers new names while a project is under its cap; returns the names each project may use.
    func admit(_ candidates: [Int64: [PerformanceKind: Set<String>]], now: Double) async throws -> [Int64: [PerformanceKind: Set<String>]] {
        var allowed: [Int64: [PerformanceKind: Set<String>]] = [:]
        for (project, kinds) in candidates {
            var known: [PerformanceKind: Set<String>] = [:]
            let all = kinds.flatMap { kind, names in names.map { (kind, $0) } }
            for chunk in all.chunks(of: 400) {
                let sql = "SELECT kind, name FROM perf_names WHERE project_id = ? AND name IN (\(chunk.map { _ in "?" }.joined(separator: ", ")))"
                for row in try await direct.query(sql, [.int(project)] + chunk.map { .text($0.1) }) {
                    guard let kind = PerformanceKind(rawValue: try row.decode(column: "kind", as: String.self)) else { continue }
                    known[kind, default: []].insert(try row.decode(column: "name", as: String.self))
                }
            }
            var fresh: [(PerformanceKind, String)] = []
            for (kind, names) in kinds {
                let new = names.subtracting(known[kind] ?? []).subtracting([Self.other])
                guard !new.isEmpty else { continue }
                let used = try await direct.query("SELECT COUNT(*) AS n FROM perf_names WHERE project_id = ? AND kind = ?", [.int(project), .text(kind.rawValue)])
                    .first.map { try $0.decode(column: "n", as: Int64.self) } ?? 0
                let room = max(0, (Self.caps[kind] ?? 1000) - Int(used))
                for name in new.sorted().prefix(room) {
                    fresh.append((kind, name))
                    known[kind, default: []].insert(name)
                }
            }
            for chunk in fresh.chunks(of: IngestSQLRepository.rowsPerStatement) {
                try await direct.insert(
                    into: "perf_names", columns: ["project_id", "kind", "name", "first_seen"],
                    rows: chunk.map { [.int(project), .text($0.0.rawValue), .text($0.1), .int(Int64(now * 1000))] },
                    onConflict: .ignore(columns: ["project_id", "kind", "name"])
                )
            }
            allowed[project] = known
        }
        return allowed
    }

    func insert(_ tally: PerformanceTally) async throws {
        for chunk in Array(tally.stats).chunks(of: IngestSQLRepository.rowsPerStatement / 2) {
            try await direct.insert(
                into: "perf_minutes", columns: PerformanceRows.minuteColumns,
                rows: chunk.map { key, stats in PerformanceRows.cells(key: key, stats: stats, withBucket: true) }, onConflict: nil
            )
        }
    }
}

/// The columns of a statistics row and how keys and stats become cells and back.
enum PerformanceRows {
    static let statColumns = ["kind", "name", "detail", "segment", "environment", "release", "n", "failures", "good", "fair", "sketch",
                              "example_event_id", "example_value", "users", "miserable"]
    static let minuteColumns = ["project_id", "bucket"] + statColumns

    static func cells(key: PerformanceKey, stats: DurationStats, withBucket: Bool) -> [SQLCell] {
        [.int(key.projectID), .int(key.bucket), .text(key.kind.rawValue), .text(key.name), .text(key.detail), .text(key.segment),
         .text(key.environment), .text(key.release), .int(stats.count), .int(stats.failures), .int(stats.good), .int(stats.fair),
         .blob(stats.sketch.encoded()), .text(stats.exampleEventID), .double(stats.exampleValue), .blob(stats.users.encoded()),
         .blob(stats.miserableUsers.encoded())]
    }

    /// A row's key as a query groups it: only the grouped columns are read (strings cost).
    static func groupedKey(_ row: any SQLRow, _ query: PerformanceQuery) throws -> PerformanceKey {
        let fields = query.groupBy
        func text(_ field: PerformanceField, _ column: String) throws -> String {
            fields.contains(field) ? try row.decode(column: column, as: String.self) : ""
        }
        let bucket = try query.resolution.map { try row.decode(column: "bucket", as: Int64.self) / $0 * $0 } ?? 0
        return PerformanceKey(projectID: query.projectID, kind: query.kind, name: try text(.name, "name"), detail: try text(.detail, "detail"),
                              segment: try text(.segment, "segment"), environment: try text(.environment, "environment"),
                              release: try text(.release, "release"), bucket: bucket)
    }

    /// Adds a row's figures to `stats`, merging its sketches straight from their bytes.
    static func fold(_ row: any SQLRow, into stats: inout DurationStats) throws {
        stats.count += try row.decode(column: "n", as: Int64.self)
        stats.failures += try row.decode(column: "failures", as: Int64.self)
        stats.good += try row.decode(column: "good", as: Int64.self)
        stats.fair += try row.decode(column: "fair", as: Int64.self)
        stats.sketch.merge(encoded: try row.decode(column: "sketch", as: Data.self))
        stats.users.merge(encoded: try row.decode(column: "users", as: Data.self))
        stats.miserableUsers.merge(encoded: try row.decode(column: "miserable", as: Data.self))
        let example = try row.decode(column: "example_value", as: Double.self)
        if example > stats.exampleValue, let id = try row.decode(column: "example_event_id", as: String?.self) {
            stats.exampleEventID = id
            stats.exampleValue = example
        }
    }

    /// Reads a row selected with `statColumns` plus `project_id` and `bucket`, whole.
    static func decode(_ row: any SQLRow) throws -> (PerformanceKey, DurationStats)? {
        guard let kind = PerformanceKind(rawValue: try row.decode(column: "kind", as: String.self)) else { return nil }
        let key = PerformanceKey(
            projectID: try row.decode(column: "project_id", as: Int64.self), kind: kind, name: try row.decode(column: "name", as: String.self),
            detail: try row.decode(column: "detail", as: String.self), segment: try row.decode(column: "segment", as: String.self),
            environment: try row.decode(column: "environment", as: String.self), release: try row.decode(column: "release", as: String.self),
            bucket: try row.decode(column: "bucket", as: Int64.self)
        )
        var stats = DurationStats()
        try fold(row, into: &stats)
        return (key, stats)
    }

    /// A rollup row's key columns, and the figures an upsert replaces.
    static let rollupKeyColumns = ["project_id", "kind", "granularity", "bucket", "name", "detail", "segment", "environment", "release"]
    static let rollupUpdate = ["n", "failures", "good", "fair", "sketch", "example_event_id", "example_value", "users", "miserable"]
        .map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
}
