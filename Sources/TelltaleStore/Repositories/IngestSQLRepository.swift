import Foundation
import SQLKit
public import TelltaleCore

/// Writes ingest batches: one transaction per call, multi-row statements per table.
public struct IngestSQLRepository: IngestRepository {
    let backend: any SQLBackend

    /// Rows per multi-row INSERT (keeps binds well under PostgreSQL's 65,535).
    static let rowsPerStatement = 200

    public func write(_ records: [IngestRecord]) async throws {
        var events: [EventRecord] = []
        var transactions: [TransactionRecord] = []
        var sessions: [SessionRecord] = []
        var checkIns: [CheckInRecord] = []
        var reports: [UserReportRecord] = []
        var attachments: [AttachmentRecord] = []
        var outcomes: [OutcomeRecord] = []
        for record in records {
            switch record {
            case .event(let event): events.append(event)
            case .transaction(let transaction): transactions.append(transaction)
            case .session(let session): sessions.append(session)
            case .checkIn(let checkIn): checkIns.append(checkIn)
            case .userReport(let report): reports.append(report)
            case .attachment(let attachment): attachments.append(attachment)
            case .outcome(let outcome): outcomes.append(outcome)
            }
        }
        let flavor = backend.flavor
        do {
            try await writeRows(events: events, transactions: transactions, sessions: sessions, checkIns: checkIns, reports: reports,
                                attachments: attachments, outcomes: outcomes, flavor: flavor)
        } catch {
            throw StorageErrors.translate(error)
        }
    }

    private func writeRows(events: [EventRecord], transactions: [TransactionRecord], sessions: [SessionRecord], checkIns: [CheckInRecord],
                           reports: [UserReportRecord], attachments: [AttachmentRecord], outcomes: [OutcomeRecord], flavor: SQLFlavor) async throws {
        try await backend.writeDirect { [events, transactions, sessions, checkIns, reports, attachments, outcomes] db, direct in
            if !events.isEmpty { try await EventBatchWriter(db: db, direct: direct, flavor: flavor).write(events) }
            // Statistics count a transaction once: a repeated event id is dropped with its row.
            let inserted = try await Self.insertTransactions(transactions, direct)
            try await PerformanceWriter(direct: direct).write(transactions.filter { inserted.contains(InsertedTransaction(project: $0.projectID.rawValue, eventID: $0.eventID)) },
                                                              now: Date().timeIntervalSince1970)
            try await Self.insertSessions(sessions, db)
            try await Self.insertCheckIns(checkIns, db)
            try await Self.insertReports(reports, db)
            try await Self.insertAttachments(attachments, db)
            try await Self.insertOutcomes(outcomes, db)
        }
    }

    static func ms(_ seconds: Double) -> Int64 { Int64((seconds * 1000).rounded()) }

    struct InsertedTransaction: Hashable {
        var project: Int64
        var eventID: String
    }

    /// Inserts the rows whose event id is new; returns those.
    static let transactionColumns = ["project_id", "event_id", "trace_id", "name", "op", "status", "start_timestamp", "timestamp", "duration_ms",
                                     "release", "environment", "payload"]

    /// Through the direct path (SQLKit's binds cost a tenth of the writer's CPU), with RETURNING to learn which were new.
    static func insertTransactions(_ rows: [TransactionRecord], _ direct: any DirectStatements) async throws -> Set<InsertedTransaction> {
        var inserted = Set<InsertedTransaction>()
        for chunk in rows.chunks(of: rowsPerStatement) {
            let sql = DirectStatementsText.insert(table: "transactions", columns: transactionColumns, rowCount: chunk.count,
                                                  conflict: .ignore(columns: ["project_id", "event_id"])) + " RETURNING project_id, event_id"
            var cells: [SQLCell] = []
            cells.reserveCapacity(chunk.count * transactionColumns.count)
            for row in chunk {
                cells += [.int(row.projectID.rawValue), .text(row.eventID), .text(row.traceID), .text(row.name), .text(row.op), .text(row.status),
                          .int(ms(row.startTimestamp)), .int(ms(row.timestamp)), .double(row.durationMilliseconds), .text(row.release),
                          .text(row.environment), .blob(row.payload)]
            }
            for row in try await direct.query(sql, cells) {
                inserted.insert(InsertedTransaction(project: try row.decode(column: "project_id", as: Int64.self), eventID: try row.decode(column: "event_id", as: String.self)))
            }
        }
        return inserted
    }

    static func insertSessions(_ rows: [SessionRecord], _ db: any SQLDatabase) async throws {
        for chunk in rows.chunks(of: rowsPerStatement) {
            var insert = db.insert(into: "sessions").columns(
                "project_id", "kind", "session_id", "distinct_id", "status", "errors", "is_init", "started", "duration", "release", "environment",
                "exited", "errored", "abnormal", "crashed"
            )
            for row in chunk {
                insert = insert.values(
                    SQLBind(row.projectID.rawValue), SQLBind(row.kind), SQLBind(row.sessionID), SQLBind(row.distinctID), SQLBind(row.status),
                    SQLBind(row.errors), SQLBind(row.isInit), SQLBind(ms(row.started)), SQLBind(row.duration), SQLBind(row.release),
                    SQLBind(row.environment), SQLBind(row.exited), SQLBind(row.errored), SQLBind(row.abnormal), SQLBind(row.crashed)
                )
            }
            try await insert.run()
        }
    }

    static func insertCheckIns(_ rows: [CheckInRecord], _ db: any SQLDatabase) async throws {
        for chunk in rows.chunks(of: rowsPerStatement) {
            var insert = db.insert(into: "check_ins").columns("project_id", "check_in_id", "monitor_slug", "status", "duration", "environment", "timestamp", "payload")
            for row in chunk {
                insert = insert.values(
                    SQLBind(row.projectID.rawValue), SQLBind(row.checkInID), SQLBind(row.monitorSlug), SQLBind(row.status), SQLBind(row.duration),
                    SQLBind(row.environment), SQLBind(ms(row.timestamp)), SQLBind(Data(row.payload))
                )
            }
            try await insert.run()
        }
    }

    /// Sentry feedback joins the triage queue as open reports, and alert rules hear of each.
    static func insertReports(_ rows: [UserReportRecord], _ db: any SQLDatabase) async throws {
        for row in rows {
            let at = ms(row.timestamp)
            guard let id = try await db.insert(into: "user_reports")
                .columns("project_id", "event_id", "name", "email", "comments", "source", "timestamp", "updated_at")
                .values(SQLBind(row.projectID.rawValue), SQLBind(row.eventID), SQLBind(row.name), SQLBind(row.email), SQLBind(row.comments),
                        SQLBind(row.source), SQLBind(at), SQLBind(at))
                .returning("id").first(decodingColumn: "id", as: Int64.self),
                let organization = try await db.raw("SELECT organization_id FROM projects WHERE id = \(bind: row.projectID.rawValue)")
                    .first(decodingColumn: "organization_id", as: Int64.self)
            else { continue }
            try await UserReportSQL.recordDetection(db, reportID: id, organizationID: organization, projectID: row.projectID.rawValue,
                                                    title: UserReportDraft.titleFrom(row.comments), priority: .medium, at: at)
        }
    }

    static func insertAttachments(_ rows: [AttachmentRecord], _ db: any SQLDatabase) async throws {
        for row in rows {
            try await db.insert(into: "attachments")
                .columns("project_id", "event_id", "filename", "content_type", "attachment_type", "size", "data", "timestamp")
                .values(
                    SQLBind(row.projectID.rawValue), SQLBind(row.eventID), SQLBind(row.filename), SQLBind(row.contentType),
                    SQLBind(row.attachmentType), SQLBind(row.data.count), SQLBind(Data(row.data)), SQLBind(ms(row.timestamp))
                ).run()
        }
    }

    static func insertOutcomes(_ rows: [OutcomeRecord], _ db: any SQLDatabase) async throws {
        for chunk in rows.chunks(of: rowsPerStatement) {
            var insert = db.insert(into: "outcomes").columns("project_id", "timestamp", "outcome", "category", "reason", "quantity")
            for row in chunk {
                insert = insert.values(
                    SQLBind(row.projectID.rawValue), SQLBind(ms(row.timestamp)), SQLBind(row.outcome), SQLBind(row.category),
                    SQLBind(row.reason), SQLBind(row.quantity)
                )
            }
            try await insert.run()
        }
    }
}

extension Dictionary where Key: Comparable {
    /// The entries in key order. Multi-row writes to shared counters go in this order: two
    /// nodes writing the same rows then lock them in the same order and one waits for the
    /// other, where in hash order they could deadlock, which PostgreSQL breaks only after
    /// `deadlock_timeout` (1 s) with both nodes' writers stalled meanwhile.
    var inKeyOrder: [(key: Key, value: Value)] { sorted { $0.key < $1.key } }
}

extension Array {
    /// Consecutive slices of at most `size` elements.
    func chunks(of size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
