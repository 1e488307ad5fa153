public import Foundation
import SQLKit
public import TelltaleCore

/// Workflows (named JSON definitions), business settings, and issues' events and revenue for
/// business insight.
public struct BusinessSQL: BusinessRepository {
    let backend: any SQLBackend
    static let table = "workflows"

    public func workflows(organizationID: OrganizationID) async throws -> [Workflow] {
        try await backend.read { db in try await Self.workflows(organizationID, db: db) }
    }

    static func workflows(_ organizationID: OrganizationID, db: any SQLDatabase) async throws -> [Workflow] {
        try await DefinitionTable.rows(table, "organization_id", organizationID.rawValue, db: db).map(workflow)
    }

    static func workflow(_ row: (Int64, Int64, String)) throws -> Workflow {
        Workflow(id: WorkflowID(row.0), organizationID: OrganizationID(row.1), draft: try AlertCoding.decode(WorkflowDraft.self, row.2))
    }

    public func workflow(id: WorkflowID) async throws -> Workflow? {
        try await DefinitionTable(backend: backend, table: Self.table).rows("id", id.rawValue).first.map(Self.workflow)
    }

    public func createWorkflow(organizationID: OrganizationID, _ draft: WorkflowDraft, now: Date) async throws -> Workflow {
        try await backend.mapConflict("'\(draft.name)' is already a workflow") {
            try await backend.write { db in
                // The weights are checked against the set inside the writing transaction.
                try WorkflowSet.validatePartial(try await Self.workflows(organizationID, db: db).map(\.draft) + [draft])
                let id = try await Self.insert(organizationID, draft, now, db: db)
                return Workflow(id: WorkflowID(id), organizationID: organizationID, draft: draft)
            }
        }
    }

    public func updateWorkflow(_ id: WorkflowID, _ draft: WorkflowDraft, now: Date) async throws -> Workflow? {
        try await backend.mapConflict("'\(draft.name)' is already a workflow") {
            try await backend.write { db in
                guard let current = try await DefinitionTable.rows(Self.table, "id", id.rawValue, db: db).first.map(Self.workflow) else { return nil }
                let others = try await Self.workflows(current.organizationID, db: db).filter { $0.id != id }.map(\.draft)
                try WorkflowSet.validatePartial(others + [draft])
                try await db.update(Self.table).set("name", to: SQLBind(draft.name)).set("definition", to: SQLBind(AlertCoding.json(draft)))
                    .set("updated_at", to: SQLBind(now.millisecondsSince1970)).where("id", .equal, SQLBind(id.rawValue)).run()
                return Workflow(id: id, organizationID: current.organizationID, draft: draft)
            }
        }
    }

    public func deleteWorkflow(_ id: WorkflowID) async throws -> Bool {
        try await DefinitionTable(backend: backend, table: Self.table).delete(id.rawValue)
    }

    public func replaceWorkflows(organizationID: OrganizationID, _ drafts: [WorkflowDraft], now: Date) async throws -> [Workflow] {
        try WorkflowSet.validateComplete(drafts)
        return try await backend.write { db in
            try await db.delete(from: Self.table).where("organization_id", .equal, SQLBind(organizationID.rawValue)).run()
            var created: [Workflow] = []
            for draft in drafts {
                created.append(Workflow(id: WorkflowID(try await Self.insert(organizationID, draft, now, db: db)), organizationID: organizationID, draft: draft))
            }
            return created.sorted { $0.draft.name < $1.draft.name }
        }
    }

    static func insert(_ organizationID: OrganizationID, _ draft: WorkflowDraft, _ now: Date, db: any SQLDatabase) async throws -> Int64 {
        let id = try await db.insert(into: table).columns("organization_id", "name", "definition", "created_at", "updated_at")
            .values(SQLBind(organizationID.rawValue), SQLBind(draft.name), SQLBind(AlertCoding.json(draft)),
                    SQLBind(now.millisecondsSince1970), SQLBind(now.millisecondsSince1970))
            .returning("id").first(decodingColumn: "id", as: Int64.self)
        guard let id else { throw DomainError.notFound(table) }
        return id
    }

    public func settings(organizationID: OrganizationID) async throws -> BusinessSettings {
        try await backend.read { db in
            guard let text = try await db.raw("SELECT settings FROM business_settings WHERE organization_id = \(bind: organizationID.rawValue)")
                .first(decodingColumn: "settings", as: String.self) else { return BusinessSettings() }
            return try AlertCoding.decode(BusinessSettings.self, text)
        }
    }

    public func saveSettings(_ settings: BusinessSettings, organizationID: OrganizationID) async throws {
        let text = AlertCoding.json(settings)
        try await backend.write { db in
            try await db.raw("""
                INSERT INTO business_settings (organization_id, settings) VALUES (\(bind: organizationID.rawValue), \(bind: text))
                ON CONFLICT (organization_id) DO UPDATE SET settings = excluded.settings
                """).run()
        }
    }

    public func issueFacts(projects: [ProjectID], from: Int64, to: Int64, tagKeys: Set<String>) async throws -> [IssueBusinessFacts] {
        guard !projects.isEmpty else { return [] }
        let ids = projects.map(\.rawValue)
        return try await backend.read { db in
            try await Self.facts(where: "project_id IN \(group: ids) AND bucket >= \(bind: from) AND bucket < \(bind: to)", tagKeys: tagKeys, db: db)
        }
    }

    public func issueFacts(issueID: Int64, tagKeys: Set<String>) async throws -> IssueBusinessFacts? {
        try await backend.read { db in try await Self.facts(where: "issue_id = \(bind: issueID)", tagKeys: tagKeys, db: db).first }
    }

    /// Per issue and UTC day, the events (`issue_counts`) and the revenue they sent
    /// (`issue_revenue`) of the buckets `condition` picks, with the issues' place and tags.
    static func facts(where condition: SQLQueryString, tagKeys: Set<String>, db: any SQLDatabase) async throws -> [IssueBusinessFacts] {
        let day = String(PerformanceTally.day)
        let counts = try await db.raw("""
            SELECT issue_id, bucket / \(unsafeRaw: day) * \(unsafeRaw: day) AS day, CAST(SUM(n) AS BIGINT) AS n FROM issue_counts
            WHERE \(condition) GROUP BY issue_id, bucket / \(unsafeRaw: day)
            """).all()
        let revenue = try await db.raw("""
            SELECT issue_id, bucket / \(unsafeRaw: day) * \(unsafeRaw: day) AS day, CAST(SUM(events) AS BIGINT) AS events, SUM(amount) AS amount FROM issue_revenue
            WHERE \(condition) GROUP BY issue_id, bucket / \(unsafeRaw: day)
            """).all()
        return try await facts(counts: counts, revenue: revenue, tagKeys: tagKeys, db: db)
    }

    /// Joins the per-day counts and revenue with the issues' place and tags.
    static func facts(counts: [any SQLRow], revenue: [any SQLRow], tagKeys: Set<String>, db: any SQLDatabase) async throws -> [IssueBusinessFacts] {
        var days: [Int64: [Int64: IssueBusinessFacts.Day]] = [:]
        for row in counts {
            days[try row.decode(column: "issue_id", as: Int64.self), default: [:]][try row.decode(column: "day", as: Int64.self), default: .init()].events
                += try row.decode(column: "n", as: Int64.self)
        }
        for row in revenue {
            let issue = try row.decode(column: "issue_id", as: Int64.self), day = try row.decode(column: "day", as: Int64.self)
            days[issue, default: [:]][day, default: .init()].eventsWithRevenue += try row.decode(column: "events", as: Int64.self)
            days[issue, default: [:]][day, default: .init()].revenue += try row.decode(column: "amount", as: Double.self)
        }
        var facts: [IssueBusinessFacts] = []
        for chunk in Array(days.keys).chunks(of: 500) {
            var tags: [Int64: [String: Set<String>]] = [:]
            if !tagKeys.isEmpty {
                for row in try await db.raw("""
                    SELECT issue_id, key, value FROM issue_tags WHERE issue_id IN \(group: Array(chunk)) AND key IN \(group: Array(tagKeys))
                    """).all() {
                    tags[try row.decode(column: "issue_id", as: Int64.self), default: [:]][try row.decode(column: "key", as: String.self), default: []]
                        .insert(try row.decode(column: "value", as: String.self))
                }
            }
            for row in try await db.raw("SELECT id, project_id, title, culprit, severity, business_impact FROM issues WHERE id IN \(group: Array(chunk))").all() {
                let id = try row.decode(column: "id", as: Int64.self)
                facts.append(IssueBusinessFacts(issueID: id, projectID: ProjectID(try row.decode(column: "project_id", as: Int64.self)),
                                                title: try row.decode(column: "title", as: String.self), culprit: try row.decode(column: "culprit", as: String.self),
                                                severity: try row.decode(column: "severity", as: String?.self).flatMap(IssueSeverity.init(rawValue:)),
                                                impact: try row.decode(column: "business_impact", as: String?.self).flatMap(BusinessImpact.init(rawValue:)),
                                                tags: tags[id] ?? [:], days: days[id] ?? [:]))
            }
        }
        return facts.sorted { $0.issueID < $1.issueID }
    }

    public func resolveTimes(projects: [ProjectID], from: Int64, to: Int64) async throws -> [(severity: IssueSeverity?, minutes: Double)] {
        guard !projects.isEmpty else { return [] }
        return try await backend.read { db in
            try await db.raw("""
                SELECT severity, resolved_at - first_seen AS took FROM issues
                WHERE project_id IN \(group: projects.map(\.rawValue)) AND status = 'resolved' AND resolved_at >= \(bind: from) AND resolved_at < \(bind: to)
                """).all().map { row in
                (try row.decode(column: "severity", as: String?.self).flatMap(IssueSeverity.init(rawValue:)),
                 Double(try row.decode(column: "took", as: Int64.self)) / 60_000)
            }
        }
    }

    public func recordRevenueCrossed(organizationID: OrganizationID, ruleID: AlertRuleID, title: String, detail: String, at: Date) async throws {
        try await backend.write { db in
            try await AnalysisSQL.recordDetection(db, organizationID: organizationID.rawValue, kind: .threshold, id: ruleID.rawValue, projectID: nil,
                                                  issueID: nil, title: title, detail: detail, at: at.millisecondsSince1970)
        }
    }
}
