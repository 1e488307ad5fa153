import Foundation
import SQLKit
import TelltaleCore

/// Writes a batch of error events inside the caller's transaction: skips ids already
/// stored, finds or opens each event's issue, inserts the events and their hourly counts,
/// then bumps issue counters (events, users affected, first/last seen) once per issue.
struct EventBatchWriter {
    let db: any SQLDatabase
    let direct: any DirectStatements
    let flavor: SQLFlavor

    func write(_ incoming: [EventRecord]) async throws {
        var classifiers = ClassifierCache()
        for (projectID, projectEvents) in Dictionary(grouping: incoming, by: \.projectID) {
            var seen = Set<String>()
            let unique = projectEvents.filter { seen.insert($0.summary.eventID).inserted }
            let fresh: [EventRecord]
            if flavor == .postgres {
                let claimed = try await claimEventIDs(projectID, unique)
                fresh = unique.filter { claimed.contains($0.summary.eventID) }
            } else {
                let existing = try await existingEventIDs(projectID, unique.map(\.summary.eventID))
                fresh = unique.filter { !existing.contains($0.summary.eventID) }
            }
            guard !fresh.isEmpty else { continue }
            let issueIDs = try await resolveIssues(projectID, fresh, classifiers: &classifiers)
            try await insertEvents(fresh, issueIDs)
            try await countEvents(fresh, issueIDs)
            let totals = try await updateIssues(fresh, issueIDs)
            try await updateTags(projectID, fresh, issueIDs)
            let recovered = IssueLifecycle.resolvedByTheirEvents(fresh.map { (issueIDs[$0.summary.eventID]!, $0.summary.tags[IssueLifecycle.resolvingTag] == "true") })
            // An issue its own event resolves does not regress on that event.
            try await applyStatusEffects(recovered.isEmpty ? totals : totals.filter { !recovered.contains($0.id) })
            if !recovered.isEmpty { try await resolve(recovered) }
        }
    }

    /// `count` comma-separated copies of `item`, for `IN (…)` lists and `VALUES` rows.
    private static func placeholders(_ count: Int, _ item: String = "?") -> String {
        Array(repeating: item, count: count).joined(separator: ", ")
    }

    private func existingEventIDs(_ projectID: ProjectID, _ ids: [String]) async throws -> Set<String> {
        var found = Set<String>()
        for chunk in ids.chunks(of: 500) {
            let rows = try await direct.query(
                "SELECT event_id FROM events WHERE project_id = ? AND event_id IN (\(Self.placeholders(chunk.count)))",
                [.int(projectID.rawValue)] + chunk.map(SQLCell.text)
            )
            for row in rows { found.insert(try row.decode(column: "event_id", as: String.self)) }
        }
        return found
    }

    /// PostgreSQL: records the ids in `event_ids` and returns those not stored before. Weekly
    /// event tables cannot hold a unique key on the id (see EventWeeksSchema); the claim also
    /// makes a duplicate sent to two nodes at once wait for the first and then be skipped.
    private func claimEventIDs(_ projectID: ProjectID, _ events: [EventRecord]) async throws -> Set<String> {
        var claimed = Set<String>()
        for chunk in events.chunks(of: IngestSQLRepository.rowsPerStatement) {
            let rows = try await direct.query(
                "INSERT INTO event_ids (project_id, event_id, received_at) VALUES \(Self.placeholders(chunk.count, "(?, ?, ?)")) ON CONFLICT (project_id, event_id) DO NOTHING RETURNING event_id",
                chunk.flatMap { [SQLCell.int(projectID.rawValue), .text($0.summary.eventID), .int(IngestSQLRepository.ms($0.receivedAt))] }
            )
            for row in rows { claimed.insert(try row.decode(column: "event_id", as: String.self)) }
        }
        return claimed
    }

    /// Issue id per event id: an existing issue when any of the event's hashes is known,
    /// else a new issue per primary hash.
    private func resolveIssues(_ projectID: ProjectID, _ events: [EventRecord], classifiers: inout ClassifierCache) async throws -> [String: Int64] {
        let allHashes = Array(Set(events.flatMap(\.grouping.hashes)))
        var issueByHash: [String: Int64] = [:]
        for chunk in allHashes.chunks(of: 500) {
            let rows = try await direct.query(
                "SELECT hash, issue_id FROM issue_hashes WHERE project_id = ? AND hash IN (\(Self.placeholders(chunk.count)))",
                [.int(projectID.rawValue)] + chunk.map(SQLCell.text)
            )
            for row in rows { issueByHash[try row.decode(column: "hash", as: String.self)] = try row.decode(column: "issue_id", as: Int64.self) }
        }
        var result: [String: Int64] = [:]
        for event in events {
            if let issue = event.grouping.hashes.lazy.compactMap({ issueByHash[$0] }).first {
                result[event.summary.eventID] = issue
                continue
            }
            let issue = try await openIssue(projectID, event, classification: try await classifiers.classify(event, db: db))
            for hash in event.grouping.hashes where issueByHash[hash] == nil { issueByHash[hash] = issue }
            result[event.summary.eventID] = issue
        }
        return result
    }

    private func openIssue(_ projectID: ProjectID, _ event: EventRecord, classification: Classification) async throws -> Int64 {
        let summary = event.summary
        let grouping = event.grouping
        let (issueID, _) = try await IssueRows.open(db, IssueRows.NewIssue(
            projectID: projectID, primaryHash: grouping.primaryHash, grouping: (grouping.version, grouping.strategy, grouping.components),
            type: summary.type, title: summary.title, culprit: summary.culprit, level: summary.level.rawValue,
            seen: IngestSQLRepository.ms(summary.timestamp), release: summary.release, classification: classification
        ))
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
            "transaction_name", "trace_id", "user_key", "handled", "tags", "grouping_hash", "timestamp", "received_at", "payload", "category",
        ]
        for chunk in events.chunks(of: IngestSQLRepository.rowsPerStatement) {
            let rows: [[SQLCell]] = chunk.map { event in
                let s = event.summary
                let tags = IssueTagging.encode(s.tags)
                return [
                    .int(event.projectID.rawValue), .text(s.eventID), .int(issueIDs[s.eventID]), .text(s.type), .text(s.level.rawValue),
                    .text(s.title), .text(s.culprit), .text(s.message.map { String($0.prefix(1024)) }), .text(s.platform), .text(s.release),
                    .text(s.environment), .text(s.transaction), .text(s.traceID), .text(s.userKey), .bool(s.handled), .text(tags),
                    .text(event.grouping.primaryHash), .int(IngestSQLRepository.ms(s.timestamp)), .int(IngestSQLRepository.ms(event.receivedAt)),
                    .blob(event.payload), .text(s.tags["category"]),
                ]
            }
            try await direct.insert(into: "events", columns: columns, rows: rows, onConflict: nil)
        }
    }

    private func countEvents(_ events: [EventRecord], _ issueIDs: [String: Int64]) async throws {
        var tally: [EventCounts.Key: Int64] = [:]
        var issueTally: [IssueCounts.Key: Int64] = [:]
        var revenue: [IssueCounts.Key: (events: Int64, amount: Double)] = [:]
        for event in events {
            let s = event.summary
            tally[EventCounts.Key(project: event.projectID.rawValue, receivedAt: IngestSQLRepository.ms(event.receivedAt),
                                  level: s.level.rawValue, category: s.tags["category"]), default: 0] += 1
            let key = IssueCounts.Key(issue: issueIDs[s.eventID]!, timestamp: IngestSQLRepository.ms(s.timestamp), project: event.projectID.rawValue)
            issueTally[key, default: 0] += 1
            if let amount = s.revenueImpact { revenue[key, default: (0, 0)].events += 1; revenue[key, default: (0, 0)].amount += amount }
        }
        try await EventCounts.add(tally, direct: direct)
        try await IssueCounts.add(issueTally, direct: direct)
        if !revenue.isEmpty { try await IssueCounts.addRevenue(revenue, direct: direct) }
    }

    /// Bumps counters; returns the issues whose status an event may change (resolved or
    /// ignored), with their new totals, read back by the same statement.
    private func updateIssues(_ events: [EventRecord], _ issueIDs: [String: Int64]) async throws -> [IssueTotals] {
        var newUsers: [Int64: Int] = [:]
        let pairs = Set(events.compactMap { event in event.summary.userKey.map { UserPair(issue: issueIDs[event.summary.eventID]!, key: $0) } })
        // In key order, as every shared row this transaction writes (see `inKeyOrder`).
        for chunk in pairs.sorted(by: { ($0.issue, $0.key) < ($1.issue, $1.key) }).chunks(of: IngestSQLRepository.rowsPerStatement) {
            let inserted = try await direct.query(
                "INSERT INTO issue_users (issue_id, user_key) VALUES \(Self.placeholders(chunk.count, "(?, ?)")) ON CONFLICT (issue_id, user_key) DO NOTHING RETURNING issue_id",
                chunk.flatMap { [SQLCell.int($0.issue), .text($0.key)] }
            )
            for row in inserted { newUsers[try row.decode(column: "issue_id", as: Int64.self), default: 0] += 1 }
        }
        // One statement for all issues of the batch: every statement is a round trip to the
        // writer thread, and a batch touches a dozen issues.
        var rows: [[SQLCell]] = []
        for (issueID, issueEvents) in Dictionary(grouping: events, by: { issueIDs[$0.summary.eventID]! }).inKeyOrder {
            let first = IngestSQLRepository.ms(issueEvents.map(\.summary.timestamp).min()!)
            let last = IngestSQLRepository.ms(issueEvents.map(\.summary.timestamp).max()!)
            let latestRelease = issueEvents.max(by: { $0.summary.timestamp < $1.summary.timestamp })?.summary.release
            let users = Int64(newUsers[issueID] ?? 0)
            rows.append([.int(issueID), .int(Int64(issueEvents.count)), .int(users), .int(first), .int(last), .text(latestRelease)])
        }
        var totals: [IssueTotals] = []
        for chunk in rows.chunks(of: IngestSQLRepository.rowsPerStatement) {
            let query = """
                WITH v(id, n, u, f, l, r) AS (VALUES \(Self.placeholders(chunk.count, "(?, ?, ?, ?, ?, ?)")))
                UPDATE issues SET times_seen = issues.times_seen + v.n, user_count = issues.user_count + v.u,
                    first_seen = \(flavor.least("issues.first_seen", "v.f")), last_seen = \(flavor.greatest("issues.last_seen", "v.l")),
                    last_release = COALESCE(v.r, issues.last_release)
                FROM v WHERE issues.id = v.id
                RETURNING issues.id, issues.status, issues.times_seen, issues.user_count, issues.ignore_until,
                    issues.ignore_events, issues.ignore_users, issues.ignore_baseline_events, issues.ignore_baseline_users
                """
            for row in try await direct.query(query, Array(chunk.joined())) {
                let status = IssueStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .new
                guard status == .resolved || status == .ignored else { continue }
                totals.append(IssueTotals(
                    id: try row.decode(column: "id", as: Int64.self), status: status,
                    ignore: try IssueRows.ignoreCondition(row, status: status),
                    timesSeen: try row.decode(column: "times_seen", as: Int64.self), userCount: try row.decode(column: "user_count", as: Int64.self)
                ))
            }
        }
        return totals
    }

    /// Adds the batch's tag pairs to each issue's tag counts in one upsert per chunk.
    private func updateTags(_ projectID: ProjectID, _ events: [EventRecord], _ issueIDs: [String: Int64]) async throws {
        var tally = TagTally()
        for event in events {
            let s = event.summary
            tally.add(issue: issueIDs[s.eventID]!, at: IngestSQLRepository.ms(s.timestamp),
                      pairs: IssueTagging.pairs(tags: s.tags, environment: s.environment, release: s.release, level: s.level.rawValue, userKey: s.userKey))
        }
        for chunk in tally.counts.inKeyOrder.chunks(of: IngestSQLRepository.rowsPerStatement) {
            let rows = chunk.map { IssueRows.tagCells($0.key, $0.value, projectID: projectID) }
            try await direct.insert(
                into: "issue_tags", columns: IssueRows.tagColumns, rows: rows,
                onConflict: .update(columns: ["issue_id", "key", "value"], set: "times_seen = issue_tags.times_seen + excluded.times_seen, first_seen = \(flavor.least("issue_tags.first_seen", "excluded.first_seen")), last_seen = \(flavor.greatest("issue_tags.last_seen", "excluded.last_seen"))")
            )
        }
    }

    /// Regressions (an event after `resolved`) and ignore conditions that ran out: rare, so
    /// one statement per changed issue is fine.
    private func applyStatusEffects(_ totals: [IssueTotals]) async throws {
        let now = Date()
        for issue in totals {
            let effect = IssueLifecycle.afterEvents(status: issue.status, ignore: issue.ignore, now: now.timeIntervalSince1970,
                                                    timesSeen: issue.timesSeen, userCount: issue.userCount)
            guard effect != .none else { continue }
            let status = IssueLifecycle.status(after: effect, from: issue.status)
            var update = db.update("issues").set("status", to: SQLBind(status.rawValue))
                .set("ignore_until", to: SQLLiteral.null).set("ignore_events", to: SQLLiteral.null).set("ignore_users", to: SQLLiteral.null)
            if effect == .regressed {
                update = update.set("regressed_at", to: SQLBind(IngestSQLRepository.ms(now.timeIntervalSince1970)))
            }
            try await update.where("id", .equal, SQLBind(issue.id)).run()
            try await IssueRows.recordActivity(db, issueID: issue.id, ActivityDraft(effect == .regressed ? .regression : .unignored, ["status": status.rawValue]), user: nil, at: now)
        }
    }
}

extension EventBatchWriter {
    /// Resolves issues whose latest event says the problem is over (a circuit breaker closing,
    /// a job recovering), recording it in their timeline as any resolution is.
    fileprivate func resolve(_ issues: Set<Int64>) async throws {
        let now = Date()
        let resolved = try await db.update("issues").set("status", to: SQLBind(IssueStatus.resolved.rawValue))
            .set("resolved_at", to: SQLBind(IngestSQLRepository.ms(now.timeIntervalSince1970))).set("resolution_note", to: SQLBind("resolved by its own event"))
            .where("id", .in, SQLBind.group(issues.sorted())).where("status", .notEqual, SQLBind(IssueStatus.resolved.rawValue))
            .returning("id").all()
        for row in resolved {
            _ = try await IssueRows.recordActivity(db, issueID: try row.decode(column: "id", as: Int64.self),
                                                   ActivityDraft(.setStatus, ["status": IssueStatus.resolved.rawValue, "by": "event"]), user: nil, at: now)
        }
    }
}

/// An issue's status and totals after a batch, for regression and ignore checks.
struct IssueTotals {
    var id: Int64
    var status: IssueStatus
    var ignore: IgnoreCondition?
    var timesSeen: Int64
    var userCount: Int64
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
