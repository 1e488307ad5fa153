public import Foundation
import SQLKit
public import TelltaleCore

/// Retention in SQL. Each batch deletes by primary key from a bounded subquery, so a
/// transaction holds the writer for a few milliseconds, never for a whole table.
public struct RetentionSQLRepository: RetentionRepository {
    let backend: any SQLBackend

    /// Tables with a per-project time column (events use the indexed receive time).
    static let timedTables: [(table: String, time: String)] = [
        ("events", "received_at"), ("transactions", "timestamp"), ("sessions", "started"), ("check_ins", "timestamp"),
        ("user_reports", "timestamp"), ("attachments", "timestamp"), ("outcomes", "timestamp"),
        // Business events as sent; their daily and weekly figures stay (they hold no one's data).
        ("business_events", "timestamp"),
    ]

    public func expired(projectID: ProjectID, before cutoff: Date) async throws -> RetentionCounts {
        let ms = cutoff.millisecondsSince1970
        return try await backend.read { db in
            var counts = RetentionCounts()
            for (table, time) in Self.timedTables {
                counts.rows[table] = try await db.raw("""
                    SELECT COUNT(*) AS n FROM \(ident: table) WHERE project_id = \(bind: projectID.rawValue) AND \(ident: time) < \(bind: ms)
                    """).first(decodingColumn: "n", as: Int.self) ?? 0
            }
            // Issues left empty once those events go.
            counts.rows["issues"] = try await db.raw("""
                SELECT COUNT(*) AS n FROM issues i WHERE i.project_id = \(bind: projectID.rawValue) AND i.last_seen < \(bind: ms)
                AND i.merged_into IS NULL AND NOT EXISTS (SELECT 1 FROM events e WHERE e.issue_id = i.id AND e.received_at >= \(bind: ms))
                """).first(decodingColumn: "n", as: Int.self) ?? 0
            return counts
        }
    }

    public func purgeBatch(projectID: ProjectID, before cutoff: Date, batchSize: Int) async throws -> RetentionCounts {
        let ms = cutoff.millisecondsSince1970
        var counts = RetentionCounts()
        for (table, time) in Self.timedTables {
            let selection: SQLQueryString = """
                SELECT id FROM \(ident: table) WHERE project_id = \(bind: projectID.rawValue) AND \(ident: time) < \(bind: ms)
                ORDER BY id LIMIT \(literal: batchSize)
                """
            counts.rows[table] = try await backend.write { db in
                table == "events"
                    ? try await EventCounts.deleteEvents(db, ids: selection)
                    : try await db.raw("DELETE FROM \(ident: table) WHERE id IN (\(selection)) RETURNING id").all().count
            }
        }
        if backend.flavor == .postgres {
            // The ids ingest checks duplicates against (see EventWeeksSchema) go with their events.
            counts.rows["event_ids"] = try await backend.write { db in
                try await db.raw("""
                    DELETE FROM event_ids WHERE (project_id, event_id) IN (
                        SELECT project_id, event_id FROM event_ids WHERE project_id = \(bind: projectID.rawValue) AND received_at < \(bind: ms)
                        LIMIT \(literal: batchSize))
                    RETURNING project_id
                    """).all().count
            }
        }
        counts.rows["issues"] = try await backend.write { db in
            try await db.raw("""
                DELETE FROM issues WHERE id IN (
                    SELECT i.id FROM issues i WHERE i.project_id = \(bind: projectID.rawValue) AND i.last_seen < \(bind: ms)
                    AND i.merged_into IS NULL AND NOT EXISTS (SELECT 1 FROM events e WHERE e.issue_id = i.id)
                    LIMIT \(literal: batchSize))
                RETURNING id
                """).all().count
        }
        return counts
    }

    public func maintainEventWeeks(now: Date, cutoffs: [ProjectID: Date]) async throws -> DroppedEventWeeks {
        try await EventWeeksSQL(backend: backend).maintain(now: now, cutoffs: cutoffs)
    }
}
