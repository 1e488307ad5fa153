public import Foundation
public import Hummingbird
import Logging
public import TelltaleCore
public import TelltaleHTTP
import NIOCore
import SentryProtocol
import TelltaleBusiness
public import TelltaleIngest
import TelltalePerformance

/// Business insight: workflows (viewers read, managers edit), the organization's business
/// settings, and the business-impact summary.
public struct BusinessController: Sendable {
    let repositories: Repositories
    let service: IngestService
    let maxBodyBytes: Int
    let now: @Sendable () -> Date

    public init(repositories: Repositories, service: IngestService, maxBodyBytes: Int = 5 << 20, now: @escaping @Sendable () -> Date = Date.init) {
        self.repositories = repositories
        self.service = service
        self.maxBodyBytes = maxBodyBytes
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
        // Business events: an API token or the project's key, like native errors.
        router.post("projects/:org/:project/business-events/") { request, context -> Response in
            let buffer: ByteBuffer
            do { buffer = try await request.body.collect(upTo: maxBodyBytes) } catch {
                throw APIError(.contentTooLarge, "request body exceeds the limit of \(maxBodyBytes) bytes")
            }
            let body: JSONValue
            do { body = try JSONParser.parse(Array(buffer: buffer)) } catch { throw APIError.badRequest("invalid JSON body: \(error)") }
            let project = try await ProjectCredentials(repositories: repositories, service: service).project(request, context).project
            let result: (accepted: Int, duplicates: Int)
            do {
                result = try await BusinessMetricsReports(repositories: repositories).record(body, project: project, now: now())
            } catch let error as BusinessEvent.Problem {
                switch error {
                case .invalid(let problem): throw problem
                case .tooLarge(let reason):
                    context.logger.notice("Business events refused", metadata: ["project.id": "\(project.id)", "reason": "\(reason)"])
                    throw APIError(.contentTooLarge, reason)
                }
            }
            let reply = JSONValue.object(["accepted": .int(Int64(result.accepted)), "duplicates": .int(Int64(result.duplicates))])
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: reply.serialized())))
        }
        router.get("organizations/:org/business-metrics/") { request, context -> JSONBody<BusinessMetrics> in
            let owner = try await organization(context, .view)
            let query = request.uri.queryParameters
            let window = try PerformanceWindow(period: query.get("statsPeriod") ?? "30d", now: now())
            var project: ProjectID?
            if let slug = query.get("project"), !slug.isEmpty {
                guard let value = try? Slug(slug), let found = try await repositories.projects.project(organizationID: owner.id, slug: value) else {
                    throw APIError.notFound("project '\(slug.prefix(60))' not found")
                }
                project = found.id
            }
            let drop = query.get("churn_drop_percent").flatMap(Double.init) ?? 50
            guard (1...100).contains(drop) else { throw ValidationError(field: "churn_drop_percent", reason: "must be 1 to 100") }
            return JSONBody(try await BusinessMetricsReports(repositories: repositories).metrics(owner, window: window, project: project, now: now(), churnDropPercent: drop))
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
        @Sendable func funnel(_ context: TelltaleRequestContext, _ action: Action) async throws -> Funnel {
            let owner = try await organization(context, action)
            guard let id = Int64(try context.parameters.require("id")), let found = try await business.funnel(id: FunnelID(id)),
                  found.organizationID == owner.id else { throw APIError.notFound("funnel not found") }
            return found
        }
        router.get("organizations/:org/funnels/") { _, context -> JSONBody<[FunnelBody]> in
            JSONBody(try await business.funnels(organizationID: organization(context, .view).id).map(FunnelBody.init))
        }
        router.post("organizations/:org/funnels/") { request, context -> Response in
            let draft = try await request.decode(as: FunnelDraft.self, context: context)
            let owner = try await organization(context, .manage)
            let created = try await business.createFunnel(organizationID: owner.id, draft, now: now())
            context.logger.info("Created a funnel", metadata: ["funnel.id": "\(created.id)"])
            return try JSONBody(FunnelBody(created)).response(from: request, context: context, status: .created)
        }
        router.get("organizations/:org/funnels/:id/") { request, context -> JSONBody<FunnelReport> in
            let found = try await funnel(context, .view)
            let query = request.uri.queryParameters
            let window = try PerformanceWindow(period: query.get("statsPeriod") ?? "30d", now: now())
            let segment = query.get("segment").flatMap { $0.isEmpty ? nil : $0 }
            return JSONBody(try await FunnelReports(repositories: repositories).report(found, window: window, segment: segment))
        }
        router.put("organizations/:org/funnels/:id/") { request, context -> JSONBody<FunnelBody> in
            let draft = try await request.decode(as: FunnelDraft.self, context: context)
            let found = try await funnel(context, .manage)
            guard let updated = try await business.updateFunnel(found.id, draft, now: now()) else { throw APIError.notFound("funnel not found") }
            return JSONBody(FunnelBody(updated))
        }
        router.delete("organizations/:org/funnels/:id/") { _, context -> HTTPResponse.Status in
            _ = try await business.deleteFunnel(try await funnel(context, .manage).id)
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

/// A definition as the API shows it (a workflow, a funnel): its fields and its id.
public struct DefinitionBody<Draft: Encodable & Sendable>: Sendable, Encodable {
    public var id: String
    public var draft: Draft

    enum CodingKeys: String, CodingKey { case id }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try draft.encode(to: encoder)
    }
}

public typealias WorkflowBody = DefinitionBody<WorkflowDraft>
public typealias FunnelBody = DefinitionBody<FunnelDraft>

extension DefinitionBody where Draft == WorkflowDraft {
    init(_ workflow: Workflow) { self.init(id: workflow.id.description, draft: workflow.draft) }
}

extension DefinitionBody where Draft == FunnelDraft {
    init(_ funnel: Funnel) { self.init(id: funnel.id.description, draft: funnel.draft) }
}
