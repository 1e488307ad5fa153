public import Foundation
import SQLKit
public import TelltaleCore

extension IssueSQLRepository {
    public func merge(_ sources: [Int64], into target: Int64, by user: UserID, now: Date) async throws -> Issue? {
        let flavor = backend.flavor
        return try await backend.write { db in
            guard let targetIssue = try await Self.issue(db, id: target, lock: true) else { return nil }
            var merged: [Issue] = []
            for id in Set(sources) {
                guard let source = try await Self.issue(db, id: id, lock: true) else {
                    throw DomainError.notFound("issue \(id) not found")
                }
                guard source.projectID == targetIssue.projectID else {
                    throw DomainError.invalid(ValidationError(field: "id", reason: "must name issues of one project (issue \(id) is in another)"))
                }
                if source.id != targetIssue.id, !merged.contains(where: { $0.id == source.id }) { merged.append(source) }
            }
            guard !merged.isEmpty else { return targetIssue }
            let ids = merged.map(\.id)
            try await db.raw("UPDATE events SET issue_id = \(bind: target) WHERE issue_id IN \(group: ids)").run()
            try await db.raw("UPDATE issue_hashes SET issue_id = \(bind: target) WHERE issue_id IN \(group: ids)").run()
            try await IssueCounts.move(from: ids, to: target, db: db)
            try await db.raw("""
                INSERT INTO issue_users (issue_id, user_key) SELECT \(bind: target), user_key FROM issue_users WHERE issue_id IN \(group: ids)
                ON CONFLICT (issue_id, user_key) DO NOTHING
                """).run()
            try await db.raw("DELETE FROM issue_users WHERE issue_id IN \(group: ids)").run()
            try await db.raw("""
                INSERT INTO issue_tags (issue_id, project_id, key, value, times_seen, first_seen, last_seen)
                SELECT \(bind: target), project_id, key, value, SUM(times_seen), MIN(first_seen), MAX(last_seen)
                FROM issue_tags WHERE issue_id IN \(group: ids) GROUP BY project_id, key, value
                ON CONFLICT (issue_id, key, value) DO UPDATE SET times_seen = issue_tags.times_seen + excluded.times_seen,
                    first_seen = \(unsafeRaw: flavor.least("issue_tags.first_seen", "excluded.first_seen")),
                    last_seen = \(unsafeRaw: flavor.greatest("issue_tags.last_seen", "excluded.last_seen"))
                """).run()
            try await db.raw("DELETE FROM issue_tags WHERE issue_id IN \(group: ids)").run()
            let first = ([targetIssue] + merged).map(\.firstSeen).min()!.millisecondsSince1970
            let last = ([targetIssue] + merged).map(\.lastSeen).max()!.millisecondsSince1970
            let count = ([targetIssue] + merged).reduce(0) { $0 + $1.timesSeen }
            try await db.raw("""
                UPDATE issues SET times_seen = \(bind: count), first_seen = \(bind: first), last_seen = \(bind: last),
                    user_count = (SELECT COUNT(*) FROM issue_users WHERE issue_id = \(bind: target))
                WHERE id = \(bind: target)
                """).run()
            try await db.raw("UPDATE issues SET merged_into = \(bind: target) WHERE id IN \(group: ids) OR merged_into IN \(group: ids)").run()
            let numbers = merged.map { String($0.shortNumber) }.joined(separator: ",")
            try await IssueRows.recordActivity(db, issueID: target, ActivityDraft(.merge, ["issues": numbers]), user: user, at: now)
            return try await Self.issue(db, id: target)
        }
    }

    public func unmerge(issueID: Int64, hashes requested: [String], by user: UserID, now: Date) async throws -> Issue? {
        try await backend.write { db in
            guard let issue = try await Self.issue(db, id: issueID, lock: true) else { return nil }
            let owned = Set(try await db.select().column("hash").from("issue_hashes").where("issue_id", .equal, SQLBind(issue.id))
                .all(decodingColumn: "hash", as: String.self))
            let split = Array(Set(requested)).sorted()
            guard !split.isEmpty else { throw DomainError.invalid(ValidationError(field: "id", reason: "must name at least one hash")) }
            for hash in split where !owned.contains(hash) {
                throw DomainError.invalid(ValidationError(field: "id", reason: "'\(hash)' is not a hash of this issue"))
            }
            guard split.count < owned.count else {
                throw DomainError.invalid(ValidationError(field: "id", reason: "must leave at least one hash with the issue"))
            }
            let latest = try await db.select().columns("type", "title", "culprit", "level", "release").from("events")
                .where("issue_id", .equal, SQLBind(issue.id)).where("grouping_hash", .in, SQLBind.group(split))
                .orderBy("timestamp", .descending).limit(1).first()
            let (newID, number) = try await IssueRows.open(db, IssueRows.NewIssue(
                projectID: issue.projectID, primaryHash: split[0],
                grouping: (issue.grouping.version, issue.grouping.strategy, issue.grouping.components),
                type: try latest?.decode(column: "type", as: String.self) ?? issue.type,
                title: try latest?.decode(column: "title", as: String.self) ?? issue.title,
                culprit: try latest?.decode(column: "culprit", as: String.self) ?? issue.culprit,
                level: try latest?.decode(column: "level", as: String.self) ?? issue.level,
                seen: now.millisecondsSince1970, release: try latest?.decode(column: "release", as: String?.self),
                classification: issue.classification  // split off, the same kind of failure
            ))
            try await db.raw("UPDATE issue_hashes SET issue_id = \(bind: newID) WHERE issue_id = \(bind: issue.id) AND hash IN \(group: split)").run()
            try await db.raw("UPDATE events SET issue_id = \(bind: newID) WHERE issue_id = \(bind: issue.id) AND grouping_hash IN \(group: split)").run()
            try await Self.recount(db, issueID: issue.id)
            try await Self.recount(db, issueID: newID)
            try await IssueRows.recordActivity(db, issueID: issue.id, ActivityDraft(.unmerge, ["issues": String(number), "hashes": split.joined(separator: ",")]), user: user, at: now)
            try await IssueRows.recordActivity(db, issueID: newID, ActivityDraft(.unmerge, ["from": String(issue.shortNumber), "hashes": split.joined(separator: ",")]), user: user, at: now)
            return try await Self.issue(db, id: newID)
        }
    }

    /// Rebuilds an issue's counters, users and tag counts from its events (after events moved).
    static func recount(_ db: any SQLDatabase, issueID: Int64) async throws {
        try await IssueCounts.recount([issueID], db: db)
        try await db.raw("DELETE FROM issue_users WHERE issue_id = \(bind: issueID)").run()
        try await db.raw("""
            INSERT INTO issue_users (issue_id, user_key)
            SELECT DISTINCT issue_id, user_key FROM events WHERE issue_id = \(bind: issueID) AND user_key IS NOT NULL
            """).run()
        try await db.raw("DELETE FROM issue_tags WHERE issue_id = \(bind: issueID)").run()
        let rows = try await db.select().columns("project_id", "tags", "environment", "release", "level", "user_key", "timestamp").from("events")
            .where("issue_id", .equal, SQLBind(issueID)).all()
        var tally = TagTally()
        var projectID = ProjectID(0)
        for row in rows {
            projectID = ProjectID(try row.decode(column: "project_id", as: Int64.self))
            tally.add(issue: issueID, at: try row.decode(column: "timestamp", as: Int64.self), pairs: IssueTagging.pairs(
                tags: IssueTagging.decode(try row.decode(column: "tags", as: String.self)),
                environment: try row.decode(column: "environment", as: String?.self), release: try row.decode(column: "release", as: String?.self),
                level: try row.decode(column: "level", as: String.self), userKey: try row.decode(column: "user_key", as: String?.self)
            ))
        }
        for chunk in Array(tally.counts).chunks(of: IngestSQLRepository.rowsPerStatement) {
            var insert = db.insert(into: "issue_tags").columns(IssueRows.tagColumns)
            for (key, count) in chunk {
                insert = insert.values(IssueRows.tagCells(key, count, projectID: projectID).map(\.bind))
            }
            try await insert.run()
        }
        try await db.raw("""
            UPDATE issues SET times_seen = (SELECT COUNT(*) FROM events WHERE issue_id = \(bind: issueID)),
                user_count = (SELECT COUNT(*) FROM issue_users WHERE issue_id = \(bind: issueID)),
                first_seen = COALESCE((SELECT MIN(timestamp) FROM events WHERE issue_id = \(bind: issueID)), first_seen),
                last_seen = COALESCE((SELECT MAX(timestamp) FROM events WHERE issue_id = \(bind: issueID)), last_seen)
            WHERE id = \(bind: issueID)
            """).run()
    }
}
