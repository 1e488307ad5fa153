import Foundation
import SQLKit
import TelltaleCore

/// Writes a batch of error events inside the caller's transaction: skips ids already
/// stored, finds or opens each event's issue, inserts the events, then bumps issue counters
/// (events, users affected, first/last seen) once per issue.
struct EventBatchWriter {
    let db: any SQLDatabase
    let bulk: any BulkInserter
    let flavor: SQLFlavor

    func write(_ incoming: [EventRecord]) async throws {
        for (projectID, projectEvents) in Dictionary(grouping: incoming, by: \.projectID) {
            var seen = Set<String>()
            let unique = projectEvents.filter { seen.insert($0.summary.eventID).inserted }
            let existing = try await existingEventIDs(projectID, unique.map(\.summary.eventID))
            let fresh = unique.filter { !existing.contains($0.summary.eventID) }
            guard !fresh.isEmpty else { continue }
            let issueIDs = try await resolveIssues(projectID, fresh)
            try await insertEvents(fresh, issueIDs)
            try await updateIssues(fresh, issueIDs)
        }
    }

    private func existingEventIDs(_ projectID: ProjectID, _ ids: [String]) async throws -> Set<String> {
        var found = Set<String>()
        for chunk in ids.chunks(of: 500) {
            let rows = try await db.select().column("event_id").from("events")
                .where("project_id", .equal, SQLBind(projectID.rawValue))
                .where("event_id", .in, SQLBind.group(Array(chunk)))
                .all(decodingColumn: "event_id", as: String.self)
            found.formUnion(rows)
        }
        return found
    }

    /// Issue id per event id: an existing issue when any of the event's hashes is known,
    /// else a new issue per primary hash.
    private func resolveIssues(_ projectID: ProjectID, _ events: [EventRecord]) async throws -> [String: Int64] {
        let allHashes = Array(Set(events.flatMap(\.grouping.hashes)))
        var issueByHash: [String: Int64] = [:]
        for chunk in allHashes.chunks(of: 500) {
            let rows = try await db.select().columns("hash", "issue_id").from("issue_hashes")
                .where("project_id", .equal, SQLBind(projectID.rawValue))
                .where("hash", .in, SQLBind.group(Array(chunk)))
                .all()
            for row in rows { issueByHash[try row.decode(column: "hash", as: String.self)] = try row.decode(column: "issue_id", as: Int64.self) }
        }
        var result: [String: Int64] = [:]
        for event in events {
            if let issue = event.grouping.hashes.lazy.compactMap({ issueByHash[$0] }).first {
                result[event.summary.eventID] = issue
                continue
            }
            let issue = try await openIssue(projectID, event)
            for hash in event.grouping.hashes where issueByHash[hash] == nil { issueByHash[hash] = issue }
            result[event.summary.eventID] = issue
        }
        return result
    }

    private func openIssue(_ projectID: ProjectID, _ event: EventRecord) async throws -> Int64 {
        let number = try await db.update("projects").set(SQLIdentifier("issue_counter"), to: SQLRaw("issue_counter + 1"))
            .where("id", .equal, SQLBind(projectID.rawValue))
            .returning("issue_counter").first(decodingColumn: "issue_counter", as: Int64.self) ?? 0
        let summary = event.summary
        let components = String(decoding: try JSONEncoder().encode(event.grouping.components), as: UTF8.self)
        let seen = IngestSQLRepository.ms(summary.timestamp)
        guard let issueID = try await db.insert(into: "issues")
            .columns("project_id", "short_number", "primary_hash", "grouping_version", "grouping_strategy", "grouping_components",
                     "type", "title", "culprit", "level", "status", "first_seen", "last_seen", "times_seen", "user_count", "first_release", "last_release")
            .values(
                SQLBind(projectID.rawValue), SQLBind(number), SQLBind(event.grouping.primaryHash), SQLBind(event.grouping.version),
                SQLBind(event.grouping.strategy), SQLBind(components), SQLBind(summary.type), SQLBind(summary.title), SQLBind(summary.culprit),
                SQLBind(summary.level.rawValue), SQLBind("new"), SQLBind(seen), SQLBind(seen), SQLBind(0), SQLBind(0),
                SQLBind(summary.release), SQLBind(summary.release)
            )
            .returning("id").first(decodingColumn: "id", as: Int64.self)
        else { throw SQLBatchError("could not open an issue") }
        var insert = db.insert(into: "issue_hashes").columns("project_id", "hash", "issue_id")
        for hash in event.grouping.hashes {
            insert = insert.values(SQLBind(projectID.rawValue), SQLBind(hash), SQLBind(issueID))
        }
        try await insert.ignoringConflicts(with: ["project_id", "hash"]).run()
        return issueID
    }

    private func insertEvents(_ events: [EventRecord], _ issueIDs: [String: Int64]) async throws {
        let columns = [
            "project_id", "event_id", "issue_id", "type", "level", "title", "culprit", "message", "platform", "release", "environment",
            "transaction_name", "trace_id", "user_key", "handled", "tags", "grouping_hash", "timestamp", "received_at", "payload",
        ]
        for chunk in events.chunks(of: IngestSQLRepository.rowsPerStatement) {
            let rows: [[SQLCell]] = chunk.map { event in
                let s = event.summary
                let tags = s.tags.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n")
                return [
                    .int(event.projectID.rawValue), .text(s.eventID), .int(issueIDs[s.eventID]), .text(s.type), .text(s.level.rawValue),
                    .text(s.title), .text(s.culprit), .text(s.message.map { String($0.prefix(1024)) }), .text(s.platform), .text(s.release),
                    .text(s.environment), .text(s.transaction), .text(s.traceID), .text(s.userKey), .bool(s.handled), .text(tags),
                    .text(event.grouping.primaryHash), .int(IngestSQLRepository.ms(s.timestamp)), .int(IngestSQLRepository.ms(event.receivedAt)),
                    .blob(event.payload),
                ]
            }
            try await bulk.insert(into: "events", columns: columns, rows: rows, ignoringConflictsOn: nil)
        }
    }

    private func updateIssues(_ events: [EventRecord], _ issueIDs: [String: Int64]) async throws {
        var newUsers: [Int64: Int] = [:]
        let pairs = Set(events.compactMap { event in event.summary.userKey.map { UserPair(issue: issueIDs[event.summary.eventID]!, key: $0) } })
        for chunk in Array(pairs).chunks(of: IngestSQLRepository.rowsPerStatement) {
            var insert = db.insert(into: "issue_users").columns("issue_id", "user_key")
            for pair in chunk { insert = insert.values(SQLBind(pair.issue), SQLBind(pair.key)) }
            let inserted = try await insert.ignoringConflicts(with: ["issue_id", "user_key"])
                .returning("issue_id").all(decodingColumn: "issue_id", as: Int64.self)
            for issue in inserted { newUsers[issue, default: 0] += 1 }
        }
        // One statement for all issues of the batch: every statement is a round trip to the
        // writer thread, and a batch touches a dozen issues.
        var rows: [SQLQueryString] = []
        for (issueID, issueEvents) in Dictionary(grouping: events, by: { issueIDs[$0.summary.eventID]! }) {
            let first = IngestSQLRepository.ms(issueEvents.map(\.summary.timestamp).min()!)
            let last = IngestSQLRepository.ms(issueEvents.map(\.summary.timestamp).max()!)
            let latestRelease = issueEvents.max(by: { $0.summary.timestamp < $1.summary.timestamp })?.summary.release
            let users = Int64(newUsers[issueID] ?? 0)
            rows.append("(\(bind: issueID), \(bind: Int64(issueEvents.count)), \(bind: users), \(bind: first), \(bind: last), \(bind: latestRelease))")
        }
        for chunk in rows.chunks(of: IngestSQLRepository.rowsPerStatement) {
            let query: SQLQueryString = """
                WITH v(id, n, u, f, l, r) AS (VALUES \(chunk.joined(separator: ", ")))
                UPDATE issues SET times_seen = issues.times_seen + v.n, user_count = issues.user_count + v.u,
                    first_seen = \(unsafeRaw: flavor.least("issues.first_seen", "v.f")), last_seen = \(unsafeRaw: flavor.greatest("issues.last_seen", "v.l")),
                    last_release = COALESCE(v.r, issues.last_release)
                FROM v WHERE issues.id = v.id
                """
            try await db.raw(query).run()
        }
    }
}

private struct UserPair: Hashable {
    var issue: Int64
    var key: String
}

/// A batch the database would not take.
struct SQLBatchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
