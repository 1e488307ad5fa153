public import Foundation
public import Hummingbird
import Logging
public import TelltaleCore
public import TelltaleHTTP
import TelltaleAnalysis

/// Classification rules: viewers read them, admins edit them, and a dry run shows which of the
/// organization's recent issues a changed rule set would classify differently.
public struct ClassificationController: Sendable {
    let repositories: Repositories
    let service: ClassificationService
    let now: @Sendable () -> Date

    public init(repositories: Repositories, now: @escaping @Sendable () -> Date = Date.init) {
        self.repositories = repositories
        service = ClassificationService(repositories: repositories)
        self.now = now
    }

    var classification: any ClassificationRepository { repositories.classification }

    /// `{"rules": [...]}` to try a whole new rule set, or `{"rule": {...}}` to try one more rule.
    struct DryRunInput: Decodable {
        var rules: [ClassificationRuleDraft]?
        var rule: ClassificationRuleDraft?
    }

    public func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        let authorizer = Authorizer(repositories: repositories)
        @Sendable func organization(_ context: TelltaleRequestContext, _ action: Action) async throws -> Organization {
            try await authorizer.organization(context.parameters.require("org"), try context.requirePrincipal(), action,
                                              scope: action == .view ? .projectRead : .projectWrite)
        }
        @Sendable func rule(_ context: TelltaleRequestContext) async throws -> (Organization, ClassificationRule) {
            let owner = try await organization(context, .manage)
            guard let id = Int64(try context.parameters.require("id")), let found = try await classification.rule(id: ClassificationRuleID(id)),
                  found.organizationID == owner.id else { throw APIError.notFound("classification rule not found") }
            return (owner, found)
        }

        router.get("organizations/:org/classification-rules/") { _, context -> [ClassificationRuleBody] in
            try await classification.rules(organizationID: organization(context, .view).id).map(ClassificationRuleBody.init)
        }
        router.post("organizations/:org/classification-rules/") { request, context -> EditedResponse<ClassificationRuleBody> in
            let draft = try await request.decode(as: ClassificationRuleDraft.self, context: context)
            let owner = try await organization(context, .manage)
            try await service.check(draft, organizationID: owner.id)
            let created = try await classification.createRule(organizationID: owner.id, draft, now: now())
            context.logger.info("Created a classification rule", metadata: ["rule.id": "\(created.id)"])
            return EditedResponse(status: .created, response: ClassificationRuleBody(created))
        }
        router.put("organizations/:org/classification-rules/:id/") { request, context -> ClassificationRuleBody in
            let draft = try await request.decode(as: ClassificationRuleDraft.self, context: context)
            let (owner, found) = try await rule(context)
            try await service.check(draft, organizationID: owner.id)
            guard let updated = try await classification.updateRule(found.id, draft, now: now()) else { throw APIError.notFound("classification rule not found") }
            return ClassificationRuleBody(updated)
        }
        router.delete("organizations/:org/classification-rules/:id/") { _, context -> HTTPResponse.Status in
            _ = try await classification.deleteRule(try await rule(context).1.id)
            return .noContent
        }
        router.get("issues/:id/similar/") { _, context -> [SimilarIssueBody] in
            let (organization, _, issue) = try await authorizer.issue(context.parameters.require("id"), try context.requirePrincipal(), .view, scope: .eventRead)
            return try await service.similar(to: issue, organizationID: organization.id).map(SimilarIssueBody.init)
        }
        router.post("organizations/:org/classification-rules/dry-run") { request, context -> ReclassificationBody in
            let input = try await request.decode(as: DryRunInput.self, context: context)
            let owner = try await organization(context, .view)
            let (checked, changes) = try await service.dryRun(organizationID: owner.id, proposed: input.rules, adding: input.rule)
            return ReclassificationBody(checked: checked, changed: changes.map { change in
                ReclassificationBody.Change(issue: .init(id: String(change.issueID), title: change.title), current: change.current.map(ClassificationBody.init),
                                            proposed: ClassificationBody(change.proposed))
            })
        }
    }
}

public struct ClassificationRuleBody: ResponseEncodable, Sendable {
    var id: String
    var draft: ClassificationRuleDraft

    init(_ rule: ClassificationRule) {
        id = rule.id.description
        draft = rule.draft
    }

    enum CodingKeys: String, CodingKey { case id }

    public func encode(to encoder: any Encoder) throws {
        try draft.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
    }
}

struct ClassificationBody: Encodable, Sendable {
    var severity: String
    var category: String
    var businessImpact: String
    var classifiedBy: String

    init(_ classification: Classification) {
        severity = classification.severity.rawValue
        category = classification.category.rawValue
        businessImpact = classification.impact.rawValue
        classifiedBy = classification.classifiedBy.description
    }

    enum CodingKeys: String, CodingKey { case severity, category, businessImpact = "business_impact", classifiedBy = "classified_by" }
}

public struct ReclassificationBody: ResponseEncodable, Sendable {
    struct IssueRef: Encodable, Sendable { var id: String; var title: String }
    struct Change: Encodable, Sendable {
        var issue: IssueRef
        var current: ClassificationBody?
        var proposed: ClassificationBody
    }

    /// Issues looked at (the most recently seen); people's overrides are never changed.
    var checked: Int
    var changed: [Change]
}

/// An issue like another, with how alike (cosine similarity of their words, 0…1).
public struct SimilarIssueBody: ResponseEncodable, Sendable {
    var id: String
    var title: String
    var project: String
    var score: Double

    init(_ match: SimilarIssues.Match) {
        id = String(match.issueID)
        title = match.title
        project = match.projectID.description
        score = match.score
    }
}
