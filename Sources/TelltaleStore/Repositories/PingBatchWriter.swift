import Foundation
import SQLKit
import TelltaleCore

/// Writes a batch of heartbeat pings in one transaction with a handful of statements: the
/// batch's monitors are read (and locked) once, each ping is applied in memory in arrival
/// order, and pings, results, hourly figures and each monitor's new state go out as multi-row
/// statements through the driver. Per-ping SQLKit statements held pings near 1,200/s.
struct PingBatchWriter {
    let db: any SQLDatabase
    let direct: any DirectStatements
    let flavor: SQLFlavor
    let cipher: SecretCipher

    /// A monitor as the batch has changed it so far.
    struct Working {
        var monitor: Monitor
        var progress: HeartbeatProgress
        var deadline: Date?
        var lastCheckedAt: Date
        var lastMessage: String
    }

    func write(_ requests: [PingRequest]) async throws -> [Result<(Ping, [MonitorEvent]), any Error>] {
        var working = try await lock(Set(requests.map(\.monitorID)))
        var outcomes: [Result<(HeartbeatRules.Outcome, [MonitorEvent]), any Error>] = []
        var pendingResults: [CheckResult] = []
        var allResults: [CheckResult] = []
        for request in requests {
            guard var current = working[request.monitorID], let target = current.monitor.target.heartbeat else {
                // A ping for a monitor deleted meanwhile fails alone; the batch goes on.
                outcomes.append(.failure(DomainError.notFound("monitor")))
                continue
            }
            let outcome = HeartbeatRules.receive(request.kind, runID: request.runID, at: request.at, target: target,
                                                 progress: current.progress, currentDeadline: current.deadline)
            current.progress = outcome.progress
            current.lastCheckedAt = request.at
            current.lastMessage = outcome.message
            if !current.monitor.isPaused { current.deadline = outcome.deadline }
            var events: [MonitorEvent] = []
            if let verdict = outcome.verdict {
                let result = CheckResult(monitorID: request.monitorID, checkedAt: request.at, verdict: verdict,
                                         responseMilliseconds: outcome.durationSeconds.map { $0 * 1000 },
                                         message: outcome.message, nextCheckAt: outcome.deadline ?? request.at)
                allResults.append(result)
                let (state, transition) = current.monitor.stateMachine.apply(verdict, message: outcome.message, at: request.at, to: current.monitor.state)
                current.monitor.state = state
                if let transition {
                    // A transition dates its downtime from earlier results: those go in first.
                    try await insertResults(pendingResults)
                    pendingResults = []
                    let resultID = try await MonitorSQLRepository.insertResult(db, result)
                    events.append(try await MonitorSQLRepository.saveTransition(db, monitor: current.monitor, transition: transition,
                                                                                resultID: resultID, inMaintenance: request.inMaintenance))
                } else {
                    pendingResults.append(result)
                }
            }
            working[request.monitorID] = current
            outcomes.append(.success((outcome, events)))
        }
        try await insertResults(pendingResults)
        try await MonitorSQLRepository.addToHours(allResults, direct: direct)
        let pingIDs = try await insertPings(requests, outcomes)
        try await save(working.values.filter { $0.monitor.target.heartbeat != nil }.sorted { $0.monitor.id.rawValue < $1.monitor.id.rawValue })
        var pingIndex = 0
        return zip(requests, outcomes).map { request, outcome in
            outcome.map { outcome, events in
                defer { pingIndex += 1 }
                return (Ping(id: pingIDs[pingIndex], monitorID: request.monitorID, receivedAt: request.at, kind: request.kind, runID: request.runID,
                             durationSeconds: outcome.durationSeconds, body: request.body, late: outcome.late), events)
            }
        }
    }

    /// Reads the batch's monitors, locking their rows on PostgreSQL (in id order, so two
    /// batches never wait on each other in a cycle).
    func lock(_ ids: Set<MonitorID>) async throws -> [MonitorID: Working] {
        var working: [MonitorID: Working] = [:]
        let sorted = ids.map(\.rawValue).sorted()
        for chunk in stride(from: 0, to: sorted.count, by: 500).map({ Array(sorted[$0..<min($0 + 500, sorted.count)]) }) {
            let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            let sql = "SELECT \(MonitorRows.columns.joined(separator: ", ")), last_checked_at, last_message FROM monitors "
                + "WHERE id IN (\(placeholders)) ORDER BY id\(flavor.forUpdate)"
            for row in try await direct.query(sql, chunk.map(SQLCell.int)) {
                let monitor = try MonitorRows.monitor(row, cipher)
                working[monitor.id] = Working(
                    monitor: monitor, progress: try MonitorRows.progress(row),
                    deadline: try row.decode(column: "next_check_at", as: Int64?.self).map(Date.init(millisecondsSince1970:)),
                    lastCheckedAt: Date(millisecondsSince1970: try row.decode(column: "last_checked_at", as: Int64?.self) ?? 0),
                    lastMessage: try row.decode(column: "last_message", as: String?.self) ?? "")
            }
        }
        return working
    }

    func insertResults(_ results: [CheckResult]) async throws {
        guard !results.isEmpty else { return }
        try await direct.insert(into: "monitor_results", columns: ["monitor_id", "checked_at", "verdict", "response_ms", "status_code", "message"],
                                rows: results.map { result in
                                    [.int(result.monitorID.rawValue), .int(result.checkedAt.millisecondsSince1970), .text(result.verdict.rawValue),
                                     result.responseMilliseconds.map(SQLCell.double) ?? .null, .int(result.statusCode.map(Int64.init)),
                                     .text(String(result.message.prefix(1000)))]
                                }, onConflict: nil)
    }

    /// Inserts the stored pings in one statement and returns their ids in request order.
    func insertPings(_ requests: [PingRequest], _ outcomes: [Result<(HeartbeatRules.Outcome, [MonitorEvent]), any Error>]) async throws -> [Int64] {
        var rows: [[SQLCell]] = []
        for (request, outcome) in zip(requests, outcomes) {
            guard case .success((let outcome, _)) = outcome else { continue }
            rows.append([.int(request.monitorID.rawValue), .int(request.at.millisecondsSince1970), .text(request.kind.name), .text(request.runID),
                         outcome.durationSeconds.map(SQLCell.double) ?? .null, .text(request.body), .bool(outcome.late)])
        }
        guard !rows.isEmpty else { return [] }
        let columns = ["monitor_id", "received_at", "kind", "run_id", "duration_seconds", "body", "late"]
        var ids: [Int64] = []
        // Both databases number the rows of one multi-row insert in VALUES order, so sorted
        // ids line up with the rows.
        for start in stride(from: 0, to: rows.count, by: 1_000) {
            let chunk = Array(rows[start..<min(start + 1_000, rows.count)])
            let values = Array(repeating: "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")", count: chunk.count)
            let sql = "INSERT INTO monitor_pings (\(columns.joined(separator: ", "))) VALUES \(values.joined(separator: ", ")) RETURNING id"
            ids += try await direct.query(sql, Array(chunk.joined())).map { try $0.decode(column: "id", as: Int64.self) }.sorted()
        }
        return ids
    }

    /// One statement updates every monitor of the batch with everything the batch changed.
    func save(_ batch: [Working]) async throws {
        // `monitors` columns set from the VALUES row, in order after the id; typed casts so
        // PostgreSQL knows each column's type even when the first row holds a null.
        let columns: [(name: String, type: String)] = [
            ("status", "TEXT"), ("consecutive_failures", "BIGINT"), ("consecutive_successes", "BIGINT"), ("streak_started_at", "BIGINT"),
            ("status_since", "BIGINT"), ("last_success_at", "BIGINT"), ("run_started_at", "BIGINT"), ("run_id", "TEXT"),
            ("last_checked_at", "BIGINT"), ("last_message", "TEXT"), ("next_check_at", "BIGINT"),
        ]
        let row = "(CAST(? AS BIGINT), " + columns.map { "CAST(? AS \($0.type))" }.joined(separator: ", ") + ")"
        let assignments = columns.enumerated().map { index, column in
            // A paused monitor keeps no schedule: its next_check_at stays as it is.
            column.name == "next_check_at"
                ? "next_check_at = CASE WHEN monitors.status = 'paused' THEN monitors.next_check_at ELSE v.column\(index + 2) END"
                : "\(column.name) = v.column\(index + 2)"
        }
        for start in stride(from: 0, to: batch.count, by: 500) {
            let chunk = batch[start..<min(start + 500, batch.count)]
            var binds: [SQLCell] = []
            for current in chunk {
                let state = current.monitor.state
                binds += [
                    .int(current.monitor.id.rawValue), .text(state.status.rawValue), .int(Int64(state.consecutiveFailures)),
                    .int(Int64(state.consecutiveSuccesses)), .int(state.streakStartedAt?.millisecondsSince1970), .int(state.since.millisecondsSince1970),
                    .int(current.progress.lastSuccessAt?.millisecondsSince1970), .int(current.progress.runStartedAt?.millisecondsSince1970),
                    .text(current.progress.runID), .int(current.lastCheckedAt.millisecondsSince1970), .text(current.lastMessage),
                    .int(current.deadline?.millisecondsSince1970),
                ]
            }
            let sql = "UPDATE monitors SET \(assignments.joined(separator: ", ")) FROM (VALUES \(Array(repeating: row, count: chunk.count).joined(separator: ", "))) AS v "
                + "WHERE monitors.id = v.column1"
            _ = try await direct.query(sql, binds)
        }
    }
}
