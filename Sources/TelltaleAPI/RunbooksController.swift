public import Foundation
public import Hummingbird
import Logging
public import TelltaleCore
public import TelltaleHTTP
public import TelltaleIncidents

/// Runbooks: admins edit them, members start them (also as a dry run that calls nothing).
public struct RunbooksController: Sendable {
    let repositories: Repositories
    let service: IncidentService
    let secrets: SecretBox
    let now: @Sendable () -> Date

    public init(repositories: Repositories, service: IncidentService, secrets: SecretBox, now: @escaping @Sendable () -> Date = Date.init) {
        self.repositories = repositories
        self.service = service
        self.secrets = secrets
        self.now = now
    }

    var incidents: any IncidentRepository { repositories.incidents }

    struct RunInput: Decodable {
        var incident: FlexibleID?
        var payload: [String: String]?
        var dryRun: Bool?
        enum CodingKeys: String, CodingKey { case incident, payload, dryRun = "dry_run" }
    }

    public func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        let authorizer = Authorizer(repositories: repositories)
        @Sendable func organization(_ context: TelltaleRequestContext, _ action: Action) async throws -> Organization {
            try await authorizer.organization(context.parameters.require("org"), try context.requirePrincipal(), action,
                                              scope: action == .view ? .projectRead : .projectWrite)
        }
        @Sendable func runbook(_ context: TelltaleRequestContext, _ action: Action) async throws -> (Organization, Runbook) {
            try await authorizer.owned("runbook", context.parameters.require("id"), try context.requirePrincipal(), action,
                                       scope: action == .view ? .projectRead : .projectWrite, find: { try await incidents.runbook(id: RunbookID($0)) },
                                       organizationOf: \.organizationID)
        }

        router.get("organizations/:org/runbooks/") { _, context -> [RunbookBody] in
            let owner = try await organization(context, .view)
            let counts = try await incidents.runCounts(organizationID: owner.id)
            return try await incidents.runbooks(organizationID: owner.id).map { RunbookBody($0, counts: counts[$0.id]) }
        }
        router.get("organizations/:org/runbook-templates/") { _, context -> [RunbookTemplateBody] in
            _ = try await organization(context, .view)
            return try RunbookTemplates.all().map { RunbookTemplateBody(draft: $0) }
        }
        router.post("organizations/:org/runbooks/") { request, context -> EditedResponse<RunbookBody> in
            let draft = try await request.decode(as: RunbookDraft.self, context: context)
            let owner = try await organization(context, .manage)
            try await check(draft, in: owner)
            let created = try await incidents.createRunbook(organizationID: owner.id, try secrets.sealed(draft, previous: nil), now: now())
            context.logger.info("Created a runbook", metadata: ["runbook.id": "\(created.id)"])
            return EditedResponse(status: .created, response: RunbookBody(created, counts: nil))
        }
        router.get("runbooks/:id/") { _, context -> RunbookBody in
            let (owner, found) = try await runbook(context, .view)
            return RunbookBody(found, counts: try await incidents.runCounts(organizationID: owner.id)[found.id])
        }
        router.put("runbooks/:id/") { request, context -> RunbookBody in
            let draft = try await request.decode(as: RunbookDraft.self, context: context)
            let (owner, found) = try await runbook(context, .manage)
            try await check(draft, in: owner)
            guard let updated = try await incidents.updateRunbook(found.id, try secrets.sealed(draft, previous: found.draft), now: now()) else {
                throw APIError.notFound("runbook not found")
            }
            return RunbookBody(updated, counts: try await incidents.runCounts(organizationID: owner.id)[found.id])
        }
        router.delete("runbooks/:id/") { _, context -> HTTPResponse.Status in
            _ = try await incidents.deleteRunbook(try await runbook(context, .manage).1.id)
            return .noContent
        }
        router.post("runbooks/:id/run") { request, context -> Response in
            let input = try await request.decode(as: RunInput.self, context: context)
            let (owner, found) = try await runbook(context, .triage)
            if input.dryRun == true {
                return try DryRunBody(found.draft, payload: input.payload ?? [:]).response(from: request, context: context)
            }
            var incidentID: IncidentID?
            if let id = input.incident {
                guard let incident = try await incidents.incident(id: IncidentID(id.value)), incident.organizationID == owner.id else {
                    throw ValidationError(field: "incident", reason: "is not an incident of this organization")
                }
                incidentID = incident.id
            }
            guard let run = try await service.queueRun(found.id, organizationID: owner.id, incidentID: incidentID,
                                                       trigger: "manual:\(try context.requirePrincipal().user.id)", payload: input.payload ?? [:]) else {
                throw APIError.notFound("runbook not found")
            }
            return try EditedResponse(status: .accepted, response: RunbookRunBody(run)).response(from: request, context: context)
        }
        router.get("runbooks/:id/runs/") { request, context -> [RunbookRunBody] in
            let (_, found) = try await runbook(context, .view)
            let limit = min(200, max(1, Int(request.uri.queryParameters.get("limit") ?? "") ?? 50))
            return try await incidents.runs(runbookID: found.id, limit: limit).map(RunbookRunBody.init)
        }
    }

    func check(_ draft: RunbookDraft, in organization: Organization) async throws {
        try await service.check(draft, organizationID: organization.id)
    }
}
