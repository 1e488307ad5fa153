import Foundation
import Hummingbird
import Logging
import TelltaleCore
import TelltaleHTTP
import TelltaleIncidents

/// Escalation policies, on-call schedules and "who is on call".
extension IncidentsController {
    func addSettingsRoutes(to router: some RouterMethods<TelltaleRequestContext>, authorizer: Authorizer,
                           organization: @escaping @Sendable (TelltaleRequestContext, Action) async throws -> Organization) {
        @Sendable func owned<Thing: Sendable>(_ what: String, _ context: TelltaleRequestContext, _ action: Action, _ find: @escaping (Int64) async throws -> Thing?,
                                              _ organizationOf: @escaping (Thing) -> OrganizationID) async throws -> (Organization, Thing) {
            try await authorizer.owned(what, context.parameters.require("id"), try context.requirePrincipal(), action,
                                       scope: action == .view ? .projectRead : .projectWrite, find: find, organizationOf: organizationOf)
        }
        @Sendable func policy(_ context: TelltaleRequestContext, _ action: Action) async throws -> (Organization, EscalationPolicy) {
            try await owned("escalation policy", context, action, { try await incidents.policy(id: EscalationPolicyID($0)) }, \.organizationID)
        }
        @Sendable func schedule(_ context: TelltaleRequestContext, _ action: Action) async throws -> (Organization, OnCallSchedule) {
            try await owned("schedule", context, action, { try await incidents.schedule(id: OnCallScheduleID($0)) }, \.organizationID)
        }

        router.get("organizations/:org/escalation-policies/") { _, context -> [PolicyBody] in
            try await incidents.policies(organizationID: organization(context, .view).id).map(PolicyBody.init)
        }
        router.post("organizations/:org/escalation-policies/") { request, context -> EditedResponse<PolicyBody> in
            let draft = try await request.decode(as: EscalationPolicyDraft.self, context: context)
            let owner = try await organization(context, .manage)
            try await check(draft, in: owner)
            let created = try await incidents.createPolicy(organizationID: owner.id, draft, now: now())
            context.logger.info("Created an escalation policy", metadata: ["policy.id": "\(created.id)"])
            return EditedResponse(status: .created, response: PolicyBody(created))
        }
        router.get("escalation-policies/:id/") { _, context -> PolicyBody in
            PolicyBody(try await policy(context, .view).1)
        }
        router.put("escalation-policies/:id/") { request, context -> PolicyBody in
            let draft = try await request.decode(as: EscalationPolicyDraft.self, context: context)
            let (owner, found) = try await policy(context, .manage)
            try await check(draft, in: owner)
            guard let updated = try await incidents.updatePolicy(found.id, draft, now: now()) else { throw APIError.notFound("escalation policy not found") }
            return PolicyBody(updated)
        }
        router.delete("escalation-policies/:id/") { _, context -> HTTPResponse.Status in
            _ = try await incidents.deletePolicy(try await policy(context, .manage).1.id)
            return .noContent
        }

        router.get("organizations/:org/schedules/") { _, context -> [ScheduleBody] in
            let at = now()
            return try await incidents.schedules(organizationID: organization(context, .view).id).map { ScheduleBody($0, now: at) }
        }
        router.post("organizations/:org/schedules/") { request, context -> EditedResponse<ScheduleBody> in
            let draft = try await request.decode(as: OnCallScheduleDraft.self, context: context)
            let owner = try await organization(context, .manage)
            try await check(draft, in: owner)
            let created = try await incidents.createSchedule(organizationID: owner.id, draft, now: now())
            return EditedResponse(status: .created, response: ScheduleBody(created, now: now()))
        }
        router.get("schedules/:id/") { _, context -> ScheduleBody in
            ScheduleBody(try await schedule(context, .view).1, now: now())
        }
        router.put("schedules/:id/") { request, context -> ScheduleBody in
            let draft = try await request.decode(as: OnCallScheduleDraft.self, context: context)
            let (owner, found) = try await schedule(context, .manage)
            try await check(draft, in: owner)
            guard let updated = try await incidents.updateSchedule(found.id, draft, now: now()) else { throw APIError.notFound("schedule not found") }
            return ScheduleBody(updated, now: now())
        }
        router.delete("schedules/:id/") { _, context -> HTTPResponse.Status in
            _ = try await incidents.deleteSchedule(try await schedule(context, .manage).1.id)
            return .noContent
        }

        router.get("organizations/:org/oncall/") { request, context -> OnCallBody in
            let owner = try await organization(context, .view)
            var at = now()
            if let text = request.uri.queryParameters.get("at") {
                guard let parsed = try? Date(String(text), strategy: .iso8601) else { throw APIError.badRequest("at must be a date and time (ISO 8601)") }
                at = parsed
            }
            let members = Dictionary(try await repositories.organizations.members(of: owner.id).map { ($0.0.id, $0.0) }, uniquingKeysWith: { a, _ in a })
            let entries = try await incidents.schedules(organizationID: owner.id).map { schedule in
                let user = schedule.draft.onCall(at: at)
                return OnCallBody.Entry(schedule: schedule.id.description, name: schedule.draft.name, user: user?.description,
                                        email: user.flatMap { members[$0]?.email })
            }
            return OnCallBody(at: at, oncall: entries)
        }
    }

    func check(_ draft: EscalationPolicyDraft, in organization: Organization) async throws {
        try await service.check(draft, organizationID: organization.id)
    }

    func check(_ draft: OnCallScheduleDraft, in organization: Organization) async throws {
        try await service.check(draft, organizationID: organization.id)
    }
}
