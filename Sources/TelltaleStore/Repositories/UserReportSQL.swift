public import Foundation
import SQLKit
import SentryProtocol
public import TelltaleCore

/// User reports: the Sentry feedback rows and the widget's and API's reports in one table,
/// linked to their issue through the event they name (read when shown, so a report filed
/// before its event is stored links as soon as it is).
public struct UserReportSQL: UserReportRepository {
    let backend: any SQLBackend

    static let columns = """
        r.id, r.project_id, r.event_id, r.name, r.email, r.comments, r.source, r.timestamp, r.type, r.priority, r.title, r.steps, r.expected,
        r.actual, r.reporter_type, r.url, r.browser, r.status, r.assignee_id, r.duplicate_of, r.resolution, r.updated_at, e.issue_id
        """
    static let from = "user_reports r LEFT JOIN events e ON e.project_id = r.project_id AND e.event_id = r.event_id"

    public func create(projectID: ProjectID, organizationID: OrganizationID, _ draft: UserReportDraft, source: String,
                       screenshots: [(filename: String, contentType: String, data: [UInt8])], now: Date) async throws -> UserReport {
        let id = try await backend.write { db in
            let at = now.millisecondsSince1970
            guard let id = try await db.insert(into: "user_reports")
                .columns("project_id", "event_id", "name", "email", "comments", "source", "timestamp", "type", "priority", "title", "steps", "expected",
                         "actual", "reporter_type", "url", "browser", "status", "updated_at")
                .values(SQLBind(projectID.rawValue), SQLBind(draft.eventID.flatMap(EventID.normalize)), SQLBind(draft.name), SQLBind(draft.email),
                        SQLBind(draft.description), SQLBind(source), SQLBind(at), SQLBind(draft.type.rawValue), SQLBind(draft.priority.rawValue),
                        SQLBind(draft.title), SQLBind(draft.steps), SQLBind(draft.expected), SQLBind(draft.actual), SQLBind(draft.reporterType.rawValue),
                        SQLBind(draft.url), SQLBind(draft.browser), SQLBind(UserReport.Status.open.rawValue), SQLBind(at))
                .returning("id").first(decodingColumn: "id", as: Int64.self)
            else { throw DomainError.notFound("user report") }
            for shot in screenshots {
                try await db.insert(into: "user_report_screenshots").columns("report_id", "filename", "content_type", "size", "data")
                    .values(SQLBind(id), SQLBind(String(shot.filename.prefix(200))), SQLBind(shot.contentType), SQLBind(Int64(shot.data.count)), SQLBind(Data(shot.data)))
                    .run()
            }
            try await Self.recordDetection(db, reportID: id, organizationID: organizationID.rawValue, projectID: projectID.rawValue,
                                           title: draft.title, priority: draft.priority, at: at)
            return id
        }
        guard let report = try await report(id: id) else { throw DomainError.notFound("user report") }
        return report
    }

    /// What the alert rules see of a new report: its title, and its priority as the severity.
    static func recordDetection(_ db: any SQLDatabase, reportID: Int64, organizationID: Int64, projectID: Int64, title: String,
                                priority: UserReport.Priority, at: Int64) async throws {
        try await AnalysisSQL.recordDetection(db, organizationID: organizationID, kind: .userReport, id: reportID, projectID: projectID, issueID: nil,
                                              title: "User report: \(title)", detail: "a new \(priority.rawValue)-priority user report: \(title)", at: at)
    }

    public func report(id: Int64) async throws -> UserReport? {
        try await backend.read { db in
            guard let row = try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM \(unsafeRaw: Self.from) WHERE r.id = \(bind: id)").first() else { return nil }
            return try await Self.withScreenshots([Self.report(row)], db: db).first
        }
    }

    public func reports(_ filter: UserReportFilter) async throws -> [UserReport] {
        guard !filter.projectIDs.isEmpty else { return [] }
        return try await backend.read { db in
            var conditions: [SQLQueryString] = ["r.project_id IN \(group: filter.projectIDs.map(\.rawValue))"]
            if !filter.statuses.isEmpty { conditions.append("r.status IN \(group: filter.statuses.map(\.rawValue))") }
            if let type = filter.type { conditions.append("r.type = \(bind: type.rawValue)") }
            if let priority = filter.priority { conditions.append("r.priority = \(bind: priority.rawValue)") }
            if let reporter = filter.reporterType { conditions.append("r.reporter_type = \(bind: reporter.rawValue)") }
            if let issue = filter.issueID { conditions.append("e.issue_id = \(bind: issue)") }
            if let assignee = filter.assigneeID { conditions.append("r.assignee_id = \(bind: assignee.rawValue)") }
            let rows = try await db.raw("""
                SELECT \(unsafeRaw: Self.columns) FROM \(unsafeRaw: Self.from) WHERE \(conditions.joined(separator: " AND "))
                ORDER BY r.id DESC LIMIT \(bind: max(1, min(filter.limit, 500)))
                """).all()
            return try await Self.withScreenshots(rows.map(Self.report), db: db)
        }
    }

    public func update(id: Int64, _ change: UserReportChange, now: Date) async throws -> UserReport? {
        let found = try await backend.write { db -> Bool in
            var update = db.update("user_reports").set("updated_at", to: SQLBind(now.millisecondsSince1970))
            if let status = change.status {
                update = update.set("status", to: SQLBind(status.rawValue))
                // Only a duplicate names another report.
                update = update.set("duplicate_of", to: SQLBind(status == .duplicate ? change.duplicateOf : nil))
            }
            if let priority = change.priority { update = update.set("priority", to: SQLBind(priority.rawValue)) }
            if let assignee = change.assigneeID { update = update.set("assignee_id", to: SQLBind(assignee?.rawValue)) }
            if let resolution = change.resolution { update = update.set("resolution", to: SQLBind(resolution.isEmpty ? nil : resolution)) }
            return try await update.where("id", .equal, SQLBind(id)).returning("id").all().count > 0
        }
        return found ? try await report(id: id) : nil
    }

    public func screenshot(reportID: Int64, id: Int64) async throws -> (contentType: String, data: [UInt8])? {
        try await backend.read { db in
            guard let row = try await db.raw("""
                SELECT content_type, data FROM user_report_screenshots WHERE id = \(bind: id) AND report_id = \(bind: reportID)
                """).first() else { return nil }
            return (try row.decode(column: "content_type", as: String.self), Array(try row.decode(column: "data", as: Data.self)))
        }
    }

    public func openCounts(projectIDs: [ProjectID]) async throws -> [ProjectID: Int] {
        guard !projectIDs.isEmpty else { return [:] }
        return try await backend.read { db in
            var counts: [ProjectID: Int] = [:]
            for row in try await db.raw("""
                SELECT project_id, COUNT(*) AS n FROM user_reports
                WHERE project_id IN \(group: projectIDs.map(\.rawValue)) AND status IN ('open', 'in_progress', 'pending_info') GROUP BY project_id
                """).all() {
                counts[ProjectID(try row.decode(column: "project_id", as: Int64.self))] = Int(try row.decode(column: "n", as: Int64.self))
            }
            return counts
        }
    }

    public func markReplied(id: Int64, at: Date) async throws -> Bool {
        try await backend.write { db in
            try await db.raw("""
                UPDATE user_reports SET replied_at = \(bind: at.millisecondsSince1970) WHERE id = \(bind: id) AND replied_at IS NULL RETURNING id
                """).all().count > 0
        }
    }

    static func report(_ row: any SQLRow) throws -> UserReport {
        func text(_ column: String) throws -> String? { try row.decode(column: column, as: String?.self) }
        let description = try row.decode(column: "comments", as: String.self)
        let draft = UserReportDraft(
            type: try text("type").flatMap(UserReport.Kind.init(rawValue:)) ?? .other,
            priority: try text("priority").flatMap(UserReport.Priority.init(rawValue:)) ?? .medium,
            title: try text("title") ?? UserReportDraft.titleFrom(description), description: description,
            steps: try text("steps"), expected: try text("expected"), actual: try text("actual"),
            reporterType: try text("reporter_type").flatMap(UserReport.ReporterType.init(rawValue:)) ?? .customer,
            name: try text("name"), email: try text("email"), url: try text("url"), browser: try text("browser"), eventID: try text("event_id"))
        let created = Date(millisecondsSince1970: try row.decode(column: "timestamp", as: Int64.self))
        return UserReport(
            id: try row.decode(column: "id", as: Int64.self), projectID: ProjectID(try row.decode(column: "project_id", as: Int64.self)), draft: draft,
            source: try row.decode(column: "source", as: String.self),
            status: try text("status").flatMap(UserReport.Status.init(rawValue:)) ?? .open,
            assigneeID: try row.decode(column: "assignee_id", as: Int64?.self).map(UserID.init),
            duplicateOf: try row.decode(column: "duplicate_of", as: Int64?.self), resolution: try text("resolution"),
            issueID: try row.decode(column: "issue_id", as: Int64?.self), screenshots: [], createdAt: created,
            updatedAt: try row.decode(column: "updated_at", as: Int64?.self).map(Date.init(millisecondsSince1970:)) ?? created)
    }

    static func withScreenshots(_ reports: [UserReport], db: any SQLDatabase) async throws -> [UserReport] {
        guard !reports.isEmpty else { return [] }
        var byReport: [Int64: [UserReport.ScreenshotInfo]] = [:]
        for row in try await db.raw("""
            SELECT id, report_id, filename, content_type, size FROM user_report_screenshots WHERE report_id IN \(group: reports.map(\.id)) ORDER BY id
            """).all() {
            byReport[try row.decode(column: "report_id", as: Int64.self), default: []].append(.init(
                id: try row.decode(column: "id", as: Int64.self), filename: try row.decode(column: "filename", as: String.self),
                contentType: try row.decode(column: "content_type", as: String.self), size: Int(try row.decode(column: "size", as: Int64.self))))
        }
        return reports.map { report in
            var report = report
            report.screenshots = byReport[report.id] ?? []
            return report
        }
    }
}
