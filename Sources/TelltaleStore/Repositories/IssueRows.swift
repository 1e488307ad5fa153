import Foundation
import SQLKit
import TelltaleCore

/// Issue and activity rows to values and back, shared by the issue repository and the
/// ingest writer.
enum IssueRows {
    static let columns = [
        "id", "project_id", "short_number", "type", "title", "culprit", "level", "status", "times_seen", "user_count", "first_seen", "last_seen",
        "first_release", "last_release", "assigned_to", "resolved_at", "resolved_by", "resolution_note", "ignore_until", "ignore_events",
        "ignore_users", "ignore_baseline_events", "ignore_baseline_users", "regressed_at", "grouping_version", "grouping_strategy",
        "grouping_components", "primary_hash", "severity", "category", "business_impact", "classified_by",
    ]

    static func issue(_ row: any SQLRow) throws -> Issue {
        let status = IssueStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .new
        let date = { (column: String) throws -> Date? in try row.decode(column: column, as: Int64?.self).map(Date.init(millisecondsSince1970:)) }
        let components = (try? JSONDecoder().decode([String].self, from: Data(row.decode(column: "grouping_components", as: String.self).utf8))) ?? []
        return Issue(
            id: try row.decode(column: "id", as: Int64.self),
            projectID: ProjectID(try row.decode(column: "project_id", as: Int64.self)),
            shortNumber: try row.decode(column: "short_number", as: Int64.self),
            type: try row.decode(column: "type", as: String.self),
            title: try row.decode(column: "title", as: String.self),
            culprit: try row.decode(column: "culprit", as: String.self),
            level: try row.decode(column: "level", as: String.self),
            status: status,
            timesSeen: try row.decode(column: "times_seen", as: Int64.self),
            userCount: try row.decode(column: "user_count", as: Int64.self),
            firstSeen: Date(millisecondsSince1970: try row.decode(column: "first_seen", as: Int64.self)),
            lastSeen: Date(millisecondsSince1970: try row.decode(column: "last_seen", as: Int64.self)),
            firstRelease: try row.decode(column: "first_release", as: String?.self),
            lastRelease: try row.decode(column: "last_release", as: String?.self),
            assignedTo: try row.decode(column: "assigned_to", as: Int64?.self).map(UserID.init),
            resolvedAt: try date("resolved_at"),
            resolvedBy: try row.decode(column: "resolved_by", as: Int64?.self).map(UserID.init),
            resolutionNote: try row.decode(column: "resolution_note", as: String?.self),
            ignore: try ignoreCondition(row, status: status),
            regressedAt: try date("regressed_at"),
            grouping: IssueGrouping(
                version: try row.decode(column: "grouping_version", as: String.self),
                strategy: try row.decode(column: "grouping_strategy", as: String.self),
                components: components,
                primaryHash: try row.decode(column: "primary_hash", as: String.self)
            ),
            classification: try classification(row)
        )
    }

    static func classification(_ row: any SQLRow) throws -> Classification? {
        guard let severity = try row.decode(column: "severity", as: String?.self).flatMap(IssueSeverity.init(rawValue:)) else { return nil }
        return Classification(
            severity: severity, category: try row.decode(column: "category", as: String?.self).flatMap(IssueCategory.init(rawValue:)) ?? .unknown,
            impact: try row.decode(column: "business_impact", as: String?.self).flatMap(BusinessImpact.init(rawValue:)) ?? .operational,
            classifiedBy: try row.decode(column: "classified_by", as: String?.self).flatMap(ClassifiedBy.init) ?? .level)
    }

    /// The ignore condition of an ignored issue (`nil` for any other status).
    static func ignoreCondition(_ row: any SQLRow, status: IssueStatus) throws -> IgnoreCondition? {
        guard status == .ignored else { return nil }
        if let until = try row.decode(column: "ignore_until", as: Int64?.self) { return .until(seconds: Double(until) / 1000) }
        if let n = try row.decode(column: "ignore_events", as: Int64?.self) {
            return .moreEvents(n, baseline: try row.decode(column: "ignore_baseline_events", as: Int64?.self) ?? 0)
        }
        if let n = try row.decode(column: "ignore_users", as: Int64?.self) {
            return .moreUsers(n, baseline: try row.decode(column: "ignore_baseline_users", as: Int64?.self) ?? 0)
        }
        return .forever
    }

    /// Writes the triage fields of `issue` (everything a person can change).
    static func saveTriage(_ db: any SQLDatabase, _ issue: Issue) async throws {
        var until: Int64?, events: Int64?, users: Int64?, baseEvents: Int64?, baseUsers: Int64?
        switch issue.ignore {
        case .until(let seconds)?: until = Int64((seconds * 1000).rounded())
        case .moreEvents(let n, let baseline)?: events = n; baseEvents = baseline
        case .moreUsers(let n, let baseline)?: users = n; baseUsers = baseline
        case .forever?, nil: break
        }
        try await db.update("issues")
            .set("status", to: SQLBind(issue.status.rawValue))
            .set("assigned_to", to: SQLBind(issue.assignedTo?.rawValue))
            .set("resolved_at", to: SQLBind(issue.resolvedAt?.millisecondsSince1970))
            .set("resolved_by", to: SQLBind(issue.resolvedBy?.rawValue))
            .set("resolution_note", to: SQLBind(issue.resolutionNote))
            .set("ignore_until", to: SQLBind(until)).set("ignore_events", to: SQLBind(events)).set("ignore_users", to: SQLBind(users))
            .set("ignore_baseline_events", to: SQLBind(baseEvents)).set("ignore_baseline_users", to: SQLBind(baseUsers))
            .where("id", .equal, SQLBind(issue.id))
            .run()
    }

    /// What a new issue starts with.
    struct NewIssue {
        var projectID: ProjectID
        var primaryHash: String
        var grouping: (version: String, strategy: String, components: [String])
        var type: String
        var title: String
        var culprit: String
        var level: String
        var seen: Int64
        var release: String?
        var classification: Classification?
    }

    /// Opens an issue with the project's next short number; returns its id and number.
    static func open(_ db: any SQLDatabase, _ new: NewIssue) async throws -> (id: Int64, number: Int64) {
        let number = try await db.update("projects").set(SQLIdentifier("issue_counter"), to: SQLRaw("issue_counter + 1"))
            .where("id", .equal, SQLBind(new.projectID.rawValue))
            .returning("issue_counter").first(decodingColumn: "issue_counter", as: Int64.self) ?? 0
        let components = String(decoding: try JSONEncoder().encode(new.grouping.components), as: UTF8.self)
        guard let id = try await db.insert(into: "issues")
            .columns("project_id", "short_number", "primary_hash", "grouping_version", "grouping_strategy", "grouping_components",
                     "type", "title", "culprit", "level", "status", "first_seen", "last_seen", "times_seen", "user_count", "first_release", "last_release",
                     "severity", "category", "business_impact", "classified_by")
            .values(
                SQLBind(new.projectID.rawValue), SQLBind(number), SQLBind(new.primaryHash), SQLBind(new.grouping.version),
                SQLBind(new.grouping.strategy), SQLBind(components), SQLBind(new.type), SQLBind(new.title), SQLBind(new.culprit),
                SQLBind(new.level), SQLBind(IssueStatus.new.rawValue), SQLBind(new.seen), SQLBind(new.seen), SQLBind(0), SQLBind(0),
                SQLBind(new.release), SQLBind(new.release), SQLBind(new.classification?.severity.rawValue), SQLBind(new.classification?.category.rawValue),
                SQLBind(new.classification?.impact.rawValue), SQLBind(new.classification?.classifiedBy.description)
            )
            .returning("id").first(decodingColumn: "id", as: Int64.self)
        else { throw SQLBatchError("could not open an issue") }
        return (id, number)
    }

    static let tagColumns = ["issue_id", "project_id", "key", "value", "times_seen", "first_seen", "last_seen"]

    /// One `issue_tags` row, in ``tagColumns`` order.
    static func tagCells(_ key: TagTally.Key, _ count: TagTally.Count, projectID: ProjectID) -> [SQLCell] {
        [.int(key.issue), .int(projectID.rawValue), .text(key.key), .text(key.value), .int(count.n), .int(count.first), .int(count.last)]
    }

    static let activityColumns = ["id", "issue_id", "kind", "user_id", "data", "created_at"]

    @discardableResult
    static func recordActivity(_ db: any SQLDatabase, issueID: Int64, _ draft: ActivityDraft, user: UserID?, at time: Date) async throws -> IssueActivity {
        let data = String(decoding: try JSONEncoder().encode(draft.data), as: UTF8.self)
        let id = try await db.insert(into: "issue_activity").columns("issue_id", "kind", "user_id", "data", "created_at")
            .values(SQLBind(issueID), SQLBind(draft.kind.rawValue), SQLBind(user?.rawValue), SQLBind(data), SQLBind(time.millisecondsSince1970))
            .returning("id").first(decodingColumn: "id", as: Int64.self) ?? 0
        return IssueActivity(id: id, issueID: issueID, kind: draft.kind, userID: user, data: draft.data,
                             createdAt: Date(millisecondsSince1970: time.millisecondsSince1970))
    }

    static func activity(_ row: any SQLRow) throws -> IssueActivity? {
        guard let kind = IssueActivity.Kind(rawValue: try row.decode(column: "kind", as: String.self)) else { return nil }
        let data = (try? JSONDecoder().decode([String: String].self, from: Data(row.decode(column: "data", as: String.self).utf8))) ?? [:]
        return IssueActivity(
            id: try row.decode(column: "id", as: Int64.self), issueID: try row.decode(column: "issue_id", as: Int64.self), kind: kind,
            userID: try row.decode(column: "user_id", as: Int64?.self).map(UserID.init), data: data,
            createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self))
        )
    }
}
