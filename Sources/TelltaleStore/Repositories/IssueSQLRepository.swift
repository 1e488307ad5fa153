public import Foundation
import SQLKit
public import TelltaleCore

/// Issues in SQL: search, triage, timeline, tags and counts. Merging lives in
/// `IssueSQLRepository+Merge.swift`.
public struct IssueSQLRepository: IssueRepository {
    let backend: any SQLBackend

    /// A tag filter on a key no event of these projects has ever carried is a typo or a
    /// search key Telltale does not know (`transaction:…`): 400 naming it, not silently nothing.
    private func requireKnownTagKeys(_ search: IssueSearch) async throws {
        for case .tag(let key, _, _) in search.query.filters where !IssueTagging.builtInKeys.contains(key) {
            let projects = search.projectIDs.map(\.rawValue)
            let query: SQLQueryString = "SELECT 1 AS hit FROM issue_tags WHERE project_id IN \(group: projects) AND key = \(bind: key) LIMIT 1"
            let found = try await backend.read { db in try await db.raw(query).first() != nil }
            guard found else {
                throw IssueQueryError(token: key, reason: "'\(key)' is neither a search key nor a tag of these events (search keys: is, level, assigned, age, firstSeen, lastSeen, times_seen, users, environment, release, user, user.id, user.email, user.username, user.ip)")
            }
        }
    }

    public func search(_ search: IssueSearch) async throws -> IssuePage {
        guard !search.projectIDs.isEmpty else { return IssuePage(issues: [], nextCursor: nil) }
        try await requireKnownTagKeys(search)
        let sql = IssueSearchSQL(flavor: backend.flavor, search: search)
        let conditions = try sql.conditions()
        let limit = max(1, min(search.limit, 100))
        let query: SQLQueryString = """
            SELECT \(unsafeRaw: IssueRows.columns.joined(separator: ", ")) FROM issues
            WHERE \(SQLList(conditions, separator: SQLRaw(" AND ")))
            ORDER BY \(unsafeRaw: sql.sortColumn) DESC, id DESC LIMIT \(literal: limit + 1)
            """
        var issues = try await backend.read { db in try await db.raw(query).all().map(IssueRows.issue) }
        let more = issues.count > limit
        if more { issues.removeLast() }
        return IssuePage(issues: issues, nextCursor: more ? issues.last.map(sql.cursor(after:)) : nil)
    }

    public func issue(id: Int64) async throws -> Issue? {
        try await backend.read { db in try await Self.issue(db, id: id) }
    }

    /// Follows `merged_into` so an old link still finds the issue.
    static func issue(_ db: any SQLDatabase, id: Int64, lock: Bool = false) async throws -> Issue? {
        var current = id
        for _ in 0..<8 {
            let merged = try await db.select().column("merged_into").from("issues").where("id", .equal, SQLBind(current))
                .first()
            guard let merged else { return nil }
            if let target = try merged.decode(column: "merged_into", as: Int64?.self) { current = target; continue }
            break
        }
        var select = db.select().columns(IssueRows.columns).from("issues").where("id", .equal, SQLBind(current))
        if lock, db.dialect.name == "postgresql" { select = select.for(.update) }
        return try await select.first().map(IssueRows.issue)
    }

    public func update(id: Int64, _ change: IssueChange, by user: UserID?, now: Date) async throws -> Issue? {
        try await backend.write { db in
            guard let issue = try await Self.issue(db, id: id, lock: true) else { return nil }
            let (updated, activity) = try IssueLifecycle.apply(change, to: issue, by: user, now: now)
            guard !activity.isEmpty || updated != issue else { return issue }
            try await IssueRows.saveTriage(db, updated)
            for draft in activity { try await IssueRows.recordActivity(db, issueID: issue.id, draft, user: user, at: now) }
            return updated
        }
    }

    public func delete(id: Int64) async throws -> Bool {
        guard let issue = try await self.issue(id: id) else { return false }
        // Events go first in batches, each its own short transaction, so deleting a big
        // issue never holds the (SQLite) writer for long; then the issue with what hangs
        // off it (hashes, tags, timeline, merged pointers) by ON DELETE CASCADE.
        while try await backend.write({ db in
            try await EventCounts.deleteEvents(db, ids: "SELECT id FROM events WHERE issue_id = \(bind: issue.id) LIMIT 1000")
        }) > 0 {}
        return try await backend.write { db in
            try await db.delete(from: "issues").where("id", .equal, SQLBind(issue.id)).returning("id").all().count == 1
        }
    }

    public func events(issueID: Int64, cursor: String?, limit: Int) async throws -> (events: [StoredEvent], nextCursor: String?) {
        let after = try cursor.map { cursor throws(IssueQueryError) in try KeysetCursor.parse(cursor) }
        let limit = max(1, min(limit, 100))
        let start = after
        var events = try await backend.read { db in
            var select = db.select().columns(EventReadSQLRepository.columns).from("events").where("issue_id", .equal, SQLBind(issueID))
            if let after = start {
                select = select.where(SQLQueryString("(timestamp < \(bind: after.0) OR (timestamp = \(bind: after.0) AND id < \(bind: after.1)))"))
            }
            return try await select.orderBy("timestamp", .descending).orderBy("id", .descending).limit(limit + 1).all()
                .map(EventReadSQLRepository.storedEvent)
        }
        let more = events.count > limit
        if more { events.removeLast() }
        let next = more ? events.last.map { KeysetCursor.format($0.timestamp.millisecondsSince1970, $0.rowID) } : nil
        return (events, next)
    }

    public func tagValues(projectIDs: [ProjectID], key: String, limit: Int) async throws -> [String] {
        guard !projectIDs.isEmpty else { return [] }
        let projects = projectIDs.map(\.rawValue)
        let query: SQLQueryString = """
            SELECT DISTINCT value FROM issue_tags WHERE project_id IN \(group: projects) AND key = \(bind: key) \
            ORDER BY value LIMIT \(literal: max(1, min(limit, 500)))
            """
        return try await backend.read { db in try await db.raw(query).all(decodingColumn: "value", as: String.self) }
    }

    public func newerEventCursors(issueID: Int64, than event: StoredEvent, limit: Int) async throws -> [String] {
        let (time, row) = (event.timestamp.millisecondsSince1970, event.rowID)
        return try await backend.read { db in
            try await db.select().columns("timestamp", "id").from("events").where("issue_id", .equal, SQLBind(issueID))
                .where(SQLQueryString("(timestamp > \(bind: time) OR (timestamp = \(bind: time) AND id > \(bind: row)))"))
                .orderBy("timestamp", .ascending).orderBy("id", .ascending).limit(max(1, min(limit, 100))).all()
                .map { KeysetCursor.format(try $0.decode(column: "timestamp", as: Int64.self), try $0.decode(column: "id", as: Int64.self)) }
        }
    }

    public func addComment(issueID: Int64, text: String, by user: UserID, now: Date) async throws -> IssueActivity {
        try await backend.write { db in
            try await IssueRows.recordActivity(db, issueID: issueID, ActivityDraft(.note, ["text": text]), user: user, at: now)
        }
    }

    public func activity(issueID: Int64) async throws -> [IssueActivity] {
        try await backend.read { db in
            try await db.select().columns(IssueRows.activityColumns).from("issue_activity").where("issue_id", .equal, SQLBind(issueID))
                .orderBy("id").limit(1_000).all().compactMap(IssueRows.activity)
        }
    }

    public func tags(issueID: Int64, topValues: Int) async throws -> [IssueTagSummary] {
        try await backend.read { db in
            let totals = try await db.raw("""
                SELECT key, CAST(SUM(times_seen) AS BIGINT) AS total FROM issue_tags WHERE issue_id = \(bind: issueID) GROUP BY key ORDER BY key
                """).all()
            let top = try await db.raw("""
                SELECT key, value, times_seen, last_seen FROM (
                    SELECT key, value, times_seen, last_seen,
                        ROW_NUMBER() OVER (PARTITION BY key ORDER BY times_seen DESC, value) AS position
                    FROM issue_tags WHERE issue_id = \(bind: issueID)
                ) ranked WHERE position <= \(bind: topValues) ORDER BY key, times_seen DESC, value
                """).all()
            var values: [String: [(value: String, count: Int64, lastSeen: Date)]] = [:]
            for row in top {
                values[try row.decode(column: "key", as: String.self), default: []].append((
                    value: try row.decode(column: "value", as: String.self), count: try row.decode(column: "times_seen", as: Int64.self),
                    lastSeen: Date(millisecondsSince1970: try row.decode(column: "last_seen", as: Int64.self))
                ))
            }
            return try totals.map { row in
                let key = try row.decode(column: "key", as: String.self)
                return IssueTagSummary(key: key, totalValues: try row.decode(column: "total", as: Int64.self), topValues: values[key] ?? [])
            }
        }
    }

    public func topTagValues(issueIDs: [Int64], keys: [String]) async throws -> [Int64: [String: String]] {
        guard !issueIDs.isEmpty, !keys.isEmpty else { return [:] }
        let rows = try await backend.read { db in
            try await db.raw("""
                SELECT issue_id, key, value FROM (
                    SELECT issue_id, key, value, ROW_NUMBER() OVER (PARTITION BY issue_id, key ORDER BY times_seen DESC, value) AS position
                    FROM issue_tags WHERE issue_id IN \(group: issueIDs) AND key IN \(group: keys)
                ) ranked WHERE position = 1
                """).all()
        }
        var result: [Int64: [String: String]] = [:]
        for row in rows {
            result[try row.decode(column: "issue_id", as: Int64.self), default: [:]][try row.decode(column: "key", as: String.self)] =
                try row.decode(column: "value", as: String.self)
        }
        return result
    }

    public func eventCounts(issueIDs: [Int64], since: Date, until: Date, bucketSeconds: Int64) async throws -> [Int64: CountSeries] {
        guard !issueIDs.isEmpty, bucketSeconds > 0 else { return [:] }
        let bucket = bucketSeconds * 1000
        let start = since.millisecondsSince1970 / bucket * bucket
        let end = until.millisecondsSince1970
        let rows = try await backend.read { db in
            try await db.raw("""
                SELECT issue_id, timestamp / \(literal: bucket) AS bucket, COUNT(*) AS n FROM events
                WHERE issue_id IN \(group: issueIDs) AND timestamp >= \(bind: start) AND timestamp < \(bind: end)
                GROUP BY issue_id, timestamp / \(literal: bucket)
                """).all()
        }
        var counts: [Int64: [Int64: Int64]] = [:]
        for row in rows {
            counts[try row.decode(column: "issue_id", as: Int64.self), default: [:]][try row.decode(column: "bucket", as: Int64.self)] =
                try row.decode(column: "n", as: Int64.self)
        }
        var result: [Int64: CountSeries] = [:]
        for id in issueIDs {
            let filled = CountSeries.filled(start: start, end: end, bucket: bucket, counts: counts[id] ?? [:])
            result[id] = CountSeries(points: filled.points.map { (start: $0.start / 1000, count: $0.count) })
        }
        return result
    }

    public func hashes(issueID: Int64) async throws -> [String] {
        try await backend.read { db in
            try await db.select().column("hash").from("issue_hashes").where("issue_id", .equal, SQLBind(issueID)).orderBy("hash")
                .all(decodingColumn: "hash", as: String.self)
        }
    }
}
