public import Foundation
public import Hummingbird
import Logging
public import TelltaleCore
public import TelltaleHTTP
import TelltaleBusiness
import TelltalePerformance

/// Business insight: workflows (viewers read, managers edit), the organization's business
/// settings, and the business-impact summary.
public struct BusinessController: Sendable {
    let repositories: Repositories
    let now: @Sendable () -> Date

    public init(repositories: Repositories, now: @escaping @Sendable () -> Date = Date.init) {
        self.repositories = repositories
        self.now = now
    }

    var business: any BusinessRepository { repositories.business }

    /// One workflow, `{"workflows": [...]}` replacing the set, or `{"template": "booking"}`.
    struct WorkflowsInput: Decodable {
        var workflows: [WorkflowDraft]?
        var template: String?
        var single: WorkflowDraft?

        enum CodingKeys: String, CodingKey { case workflows, template }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            workflows = try c.decodeIfPresent([WorkflowDraft].self, forKey: .workflows)
            template = try c.decodeIfPresent(String.self, forKey: .template)
            if workflows == nil, template == nil { single = try WorkflowDraft(from: decoder) }
        }
    }

    public func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        let authorizer = Authorizer(repositories: repositories)
        // The figures are event data (read with `event:read`); workflows and settings are the
        // organization's configuration (`project:write`).
        @Sendable func organization(_ context: TelltaleRequestContext, _ action: Action) async throws -> Organization {
            try await authorizer.organization(context.parameters.require("org"), try context.requirePrincipal(), action,
                                              scope: action == .view ? .eventRead : .projectWrite)
        }
        @Sendable func workflow(_ context: TelltaleRequestContext, _ action: Action) async throws -> (Organization, Workflow) {
            let owner = try await organization(context, action)
            guard let id = Int64(try context.parameters.require("id")), let found = try await business.workflow(id: WorkflowID(id)),
                  found.organizationID == owner.id else { throw APIError.notFound("workflow not found") }
            return (owner, found)
        }

        router.get("organizations/:org/business-impact/") { request, context -> JSONBody<BusinessImpactSummary> in
            let owner = try await organization(context, .view)
            let query = request.uri.queryParameters
            let window = if let start = query.get("start"), let end = query.get("end") {
                try PerformanceWindow(start: start, end: end)
            } else {
                try PerformanceWindow(period: query.get("statsPeriod") ?? "7d", now: now())
            }
            return JSONBody(try await BusinessReports(repositories: repositories).impact(owner, window: window))
        }
        router.get("organizations/:org/workflows/") { _, context -> JSONBody<[WorkflowBody]> in
            JSONBody(try await business.workflows(organizationID: organization(context, .view).id).map(WorkflowBody.init))
        }
        router.post("organizations/:org/workflows/") { request, context -> Response in
            let input = try await request.decode(as: WorkflowsInput.self, context: context)
            let owner = try await organization(context, .manage)
            if let single = input.single {
                let created = try await business.createWorkflow(organizationID: owner.id, single, now: now())
                context.logger.info("Created a workflow", metadata: ["workflow.id": "\(created.id)"])
                return try JSONBody(WorkflowBody(created)).response(from: request, context: context, status: .created)
            }
            var drafts = input.workflows ?? []
            if let template = input.template {
                guard let found = WorkflowTemplates.named(template) else {
                    throw ValidationError(field: "template", reason: "must be one of \(WorkflowTemplates.names.joined(separator: ", "))")
                }
                drafts = found
            }
            let replaced = try await business.replaceWorkflows(organizationID: owner.id, drafts, now: now())
            context.logger.info("Replaced the workflows", metadata: ["organization.id": "\(owner.id)", "count": "\(replaced.count)"])
            return try JSONBody(replaced.map(WorkflowBody.init)).response(from: request, context: context, status: .created)
        }
        router.get("organizations/:org/workflows/:id/") { _, context -> JSONBody<WorkflowBody> in
            JSONBody(WorkflowBody(try await workflow(context, .view).1))
        }
        router.put("organizations/:org/workflows/:id/") { request, context -> JSONBody<WorkflowBody> in
            let draft = try await request.decode(as: WorkflowDraft.self, context: context)
            let found = try await workflow(context, .manage).1
            guard let updated = try await business.updateWorkflow(found.id, draft, now: now()) else { throw APIError.notFound("workflow not found") }
            return JSONBody(WorkflowBody(updated))
        }
        router.delete("organizations/:org/workflows/:id/") { _, context -> HTTPResponse.Status in
            _ = try await business.deleteWorkflow(try await workflow(context, .manage).1.id)
            return .noContent
        }
        router.get("organizations/:org/business-settings/") { _, context -> JSONBody<BusinessSettings> in
            JSONBody(try await business.settings(organizationID: organization(context, .view).id))
        }
        router.put("organizations/:org/business-settings/") { request, context -> JSONBody<BusinessSettings> in
            let settings = try await request.decode(as: BusinessSettings.self, context: context)
            let owner = try await organization(context, .manage)
            try await business.saveSettings(settings, organizationID: owner.id)
            return JSONBody(settings)
        }
    }
}

/// A workflow as the API shows it: its draft's fields and its id.
public struct WorkflowBody: Sendable, Encodable {
    public var id: String
    public var draft: WorkflowDraft

    init(_ workflow: Workflow) {
        id = workflow.id.description
        draft = workflow.draft
    }

    enum CodingKeys: String, CodingKey { case id }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try draft.encode(to: encoder)
    }
}
