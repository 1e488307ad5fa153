public import Foundation
import SQLKit
public import TelltaleCore

/// Classification rules (named JSON definitions) and issues' classifications.
public struct ClassificationSQL: ClassificationRepository {
    let backend: any SQLBackend
    var table: DefinitionTable { DefinitionTable(backend: backend, table: "classification_rules") }

    public func createRule(organizationID: OrganizationID, _ draft: ClassificationRuleDraft, now: Date) async throws -> ClassificationRule {
        let id = try await table.insert(organizationID, draft.name, AlertCoding.json(draft), now)
        return ClassificationRule(id: ClassificationRuleID(id), organizationID: organizationID, draft: draft)
    }

    public func updateRule(_ id: ClassificationRuleID, _ draft: ClassificationRuleDraft, now: Date) async throws -> ClassificationRule? {
        guard try await table.update(id.rawValue, draft.name, AlertCoding.json(draft), now) else { return nil }
        return try await rule(id: id)
    }

    public func rule(id: ClassificationRuleID) async throws -> ClassificationRule? {
        try await table.rows("id", id.rawValue).first.map(Self.rule)
    }

    public func rules(organizationID: OrganizationID) async throws -> [ClassificationRule] {
        try await table.rows("organization_id", organizationID.rawValue).map(Self.rule).sorted(by: Self.inOrder)
    }

    public func deleteRule(_ id: ClassificationRuleID) async throws -> Bool { try await table.delete(id.rawValue) }

    /// The rules as the classifier runs them, read inside the ingest writer's transaction.
    static func rules(_ organizationID: OrganizationID, db: any SQLDatabase) async throws -> [ClassificationRule] {
        try await DefinitionTable.rows("classification_rules", "organization_id", organizationID.rawValue, db: db).map(rule).sorted(by: inOrder)
    }

    static func rule(_ row: (Int64, Int64, String)) throws -> ClassificationRule {
        ClassificationRule(id: ClassificationRuleID(row.0), organizationID: OrganizationID(row.1), draft: try AlertCoding.decode(ClassificationRuleDraft.self, row.2))
    }

    static func inOrder(_ a: ClassificationRule, _ b: ClassificationRule) -> Bool { (a.draft.position, a.id.rawValue) < (b.draft.position, b.id.rawValue) }

    public func setClassification(issueID: Int64, _ classification: Classification, by user: UserID?, now: Date) async throws {
        try await backend.write { db in
            try await db.update("issues").set("severity", to: SQLBind(classification.severity.rawValue))
                .set("category", to: SQLBind(classification.category.rawValue)).set("business_impact", to: SQLBind(classification.impact.rawValue))
                .set("classified_by", to: SQLBind(classification.classifiedBy.description)).where("id", .equal, SQLBind(issueID)).run()
            try await IssueRows.recordActivity(db, issueID: issueID, ActivityDraft(.classified, [
                "severity": classification.severity.rawValue, "category": classification.category.rawValue, "business_impact": classification.impact.rawValue,
            ]), user: user, at: now)
        }
    }

    public func classificationInputs(organizationID: OrganizationID, limit: Int) async throws -> [(issueID: Int64, title: String, current: Classification?, input: ClassificationInput)] {
        try await backend.read { db in
            try await Self.inputs(db, where: "p.organization_id = \(bind: organizationID.rawValue)", limit: limit)
        }
    }

    /// Issues with their classification and what their latest event gives the classifier
    /// (the issue's users included), most recently seen first.
    static func inputs(_ db: any SQLDatabase, where condition: SQLQueryString, limit: Int) async throws -> [(issueID: Int64, title: String, current: Classification?, input: ClassificationInput)] {
        // Each issue with its latest event: what the issue looks like now.
        try await db.raw("""
            SELECT i.id, i.title, i.severity, i.category, i.business_impact, i.classified_by, i.user_count,
                   e.type, e.title AS event_title, e.message, e.culprit, e.transaction_name, e.level, e.handled, e.tags, e.timestamp
            FROM issues i JOIN projects p ON p.id = i.project_id
            JOIN events e ON e.id = (SELECT MAX(x.id) FROM events x WHERE x.issue_id = i.id)
            WHERE \(condition)
            ORDER BY i.last_seen DESC LIMIT \(bind: limit)
            """).all().map { row in
            let title = try row.decode(column: "event_title", as: String.self)
            var input = ClassificationInput(
                type: ClassificationInput.exceptionType(title: title, eventType: try row.decode(column: "type", as: String.self)),
                message: try row.decode(column: "message", as: String?.self) ?? title,
                module: try row.decode(column: "culprit", as: String.self), transaction: try row.decode(column: "transaction_name", as: String?.self),
                level: EventLevel(rawValue: try row.decode(column: "level", as: String.self)) ?? .error,
                handled: try row.decode(column: "handled", as: Bool?.self), tags: IssueTagging.decode(try row.decode(column: "tags", as: String.self)),
                at: Date(millisecondsSince1970: try row.decode(column: "timestamp", as: Int64.self)))
            input.users = try row.decode(column: "user_count", as: Int.self)
            return (try row.decode(column: "id", as: Int64.self), try row.decode(column: "title", as: String.self), try IssueRows.classification(row), input)
        }
    }

    public func similarityDocuments(organizationID: OrganizationID, including issueID: Int64, limit: Int) async throws -> [SimilarIssues.Document] {
        try await backend.read { db in
            try await db.raw("""
                SELECT i.id, i.project_id, i.title, i.culprit, i.grouping_components FROM issues i JOIN projects p ON p.id = i.project_id
                WHERE p.organization_id = \(bind: organizationID.rawValue) AND i.merged_into IS NULL
                  AND (i.id = \(bind: issueID) OR i.id IN (SELECT x.id FROM issues x JOIN projects y ON y.id = x.project_id
                       WHERE y.organization_id = \(bind: organizationID.rawValue) AND x.merged_into IS NULL ORDER BY x.last_seen DESC LIMIT \(bind: limit)))
                """).all().map { row in
                let components = (try? JSONDecoder().decode([String].self, from: Data(row.decode(column: "grouping_components", as: String.self).utf8))) ?? []
                let title = try row.decode(column: "title", as: String.self)
                return SimilarIssues.Document(issueID: try row.decode(column: "id", as: Int64.self), projectID: ProjectID(try row.decode(column: "project_id", as: Int64.self)),
                                              title: title, text: ([title, try row.decode(column: "culprit", as: String.self)] + components).joined(separator: " "))
            }
        }
    }
}
