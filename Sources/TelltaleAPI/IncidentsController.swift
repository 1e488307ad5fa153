public import Foundation
public import Hummingbird
import Logging
public import TelltaleCore
public import TelltaleHTTP
public import TelltaleIncidents

/// Incidents, escalation policies, on-call schedules and the one-click links. Viewers read;
/// members open, acknowledge, resolve, escalate and write notes; admins edit policies and schedules.
public struct IncidentsController: Sendable {
    let repositories: Repositories
    let service: IncidentService
    let wake: @Sendable () -> Void
    let now: @Sendable () -> Date

    public init(repositories: Repositories, service: IncidentService, wake: @escaping @Sendable () -> Void = {}, now: @escaping @Sendable () -> Date = Date.init) {
        self.repositories = repositories
        self.service = service
        self.wake = wake
        self.now = now
    }

    var incidents: any IncidentRepository { repositories.incidents }

    public func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        let authorizer = Authorizer(repositories: repositories)
        @Sendable func organization(_ context: TelltaleRequestContext, _ action: Action) async throws -> Organization {
            try await authorizer.organization(context.parameters.require("org"), try context.requirePrincipal(), action,
                                              scope: action == .view ? .projectRead : .projectWrite)
        }
        @Sendable func incident(_ context: TelltaleRequestContext, _ action: Action) async throws -> (Organization, Incident) {
            try await authorizer.owned("incident", context.parameters.require("id"), try context.requirePrincipal(), action,
                                       scope: action == .view ? .projectRead : .projectWrite, find: { try await incidents.incident(id: IncidentID($0)) },
                                       organizationOf: \.organizationID)
        }
        @Sendable func actor(_ context: TelltaleRequestContext) throws -> IncidentActor { .user(try context.requirePrincipal().user.id) }

        router.get("organizations/:org/incidents/") { request, context -> [IncidentBody] in
            let owner = try await organization(context, .view)
            let statuses: [IncidentStatus] = switch request.uri.queryParameters.get("status") {
            case nil, "", "all": []
            case "active": [.triggered, .acknowledged]
            case let name?:
                try name.split(separator: ",").map { part in
                    guard let status = IncidentStatus(rawValue: String(part)) else {
                        throw APIError.badRequest("status must be active, all, triggered, acknowledged or resolved")
                    }
                    return status
                }
            }
            let limit = min(500, max(1, Int(request.uri.queryParameters.get("limit") ?? "") ?? 100))
            return try await incidents.incidents(organizationID: owner.id, statuses: statuses, limit: limit).map { IncidentBody($0) }
        }
        router.post("organizations/:org/incidents/") { request, context -> EditedResponse<IncidentBody> in
            let input = try await request.decode(as: IncidentInput.self, context: context)
            let owner = try await organization(context, .triage)
            let opening = try await opening(input, in: owner)
            let (opened, _) = try await service.open(opening, organizationID: owner.id, by: try actor(context), reason: "opened by hand")
            wake()
            return EditedResponse(status: .created, response: IncidentBody(opened, links: try await incidents.links(opened.id)))
        }
        router.get("organizations/:org/incidents/stats/") { request, context -> IncidentStatsBody in
            let owner = try await organization(context, .view)
            let period = request.uri.queryParameters.get("statsPeriod") ?? "7d"
            guard let seconds = Self.period(period) else { throw APIError.badRequest("statsPeriod must be like 24h, 7d or 30d") }
            let window = try await incidents.incidents(organizationID: owner.id, openedSince: now().addingTimeInterval(-seconds))
            return IncidentStatsBody(period: period, summary: IncidentFigures.summary(window), weeks: IncidentFigures.weekly(window))
        }
        router.get("incidents/:id/") { _, context -> IncidentDetailBody in
            let (_, found) = try await incident(context, .view)
            return IncidentDetailBody(incident: IncidentBody(found, links: try await incidents.links(found.id)),
                                      timeline: try await incidents.timeline(found.id).map(TimelineItem.init))
        }
        router.put("incidents/:id/") { request, context -> IncidentBody in
            let input = try await request.decode(as: IncidentInput.self, context: context)
            let (owner, found) = try await incident(context, .triage)
            let severity = try input.parsedSeverity()
            if let title = input.title, !(1...500).contains(title.trimmingCharacters(in: .whitespaces).count) {
                throw ValidationError(field: "title", reason: "must be 1 to 500 characters")
            }
            if let commander = input.commander { try await requireMember(UserID(commander.value), of: owner, field: "commander") }
            let links = IncidentLinks(issues: input.issues?.map(\.value) ?? [], monitors: input.monitors?.map { MonitorID($0.value) } ?? [],
                                      projects: input.projects?.map { ProjectID($0.value) } ?? [])
            try await checkLinks(links, in: owner)
            let edited = try await service.edit(found.id, by: try actor(context)) { incident in
                if let title = input.title { incident.title = title.trimmingCharacters(in: .whitespaces) }
                if let severity { incident.severity = severity }
                if let impact = input.impact { incident.impact = String(impact.prefix(5_000)) }
                if let commander = input.commander { incident.commanderID = UserID(commander.value) }
                if let autoResolve = input.autoResolve { incident.autoResolve = autoResolve }
                if let quiet = input.quietPeriodSeconds { incident.quietPeriodSeconds = max(0, min(quiet, 86_400)) }
            }
            if !links.isEmpty { try await incidents.addLinks(found.id, links) }
            return IncidentBody(edited, links: try await incidents.links(found.id))
        }
        router.post("incidents/:id/acknowledge") { _, context -> IncidentBody in
            let (_, found) = try await incident(context, .triage)
            return IncidentBody(try await service.acknowledge(found.id, by: try actor(context)))
        }
        router.post("incidents/:id/resolve") { _, context -> IncidentBody in
            let (_, found) = try await incident(context, .triage)
            return IncidentBody(try await service.resolve(found.id, by: try actor(context)))
        }
        router.post("incidents/:id/reopen") { _, context -> IncidentBody in
            let (_, found) = try await incident(context, .triage)
            let reopened = IncidentBody(try await service.reopen(found.id, by: try actor(context)))
            wake()
            return reopened
        }
        router.post("incidents/:id/escalate") { _, context -> IncidentBody in
            let (_, found) = try await incident(context, .triage)
            return IncidentBody(try await service.escalateNow(found.id, by: try actor(context)))
        }
        router.post("incidents/:id/notes") { request, context -> EditedResponse<IncidentDetailBody> in
            let input = try await request.decode(as: NoteInput.self, context: context)
            let (_, found) = try await incident(context, .triage)
            let text = (input.text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard (1...10_000).contains(text.count) else { throw ValidationError(field: "text", reason: "must be 1 to 10000 characters") }
            let noted = try await service.note(found.id, by: try actor(context), text: text, isPublic: input.public ?? false)
            return EditedResponse(status: .created, response: IncidentDetailBody(incident: IncidentBody(noted),
                                                                                 timeline: try await incidents.timeline(found.id).map(TimelineItem.init)))
        }
        router.get("incidents/:id/report") { request, context -> Response in
            let (_, found) = try await incident(context, .view)
            let report = try await service.report(found)
            if request.uri.queryParameters.get("format") == "markdown" {
                return Response(status: .ok, headers: [.contentType: "text/markdown; charset=utf-8",
                                                       .contentDisposition: "attachment; filename=\"incident-\(found.id).md\""],
                                body: ResponseBody(byteBuffer: ByteBuffer(string: report.markdown())))
            }
            return try IncidentReportBody(report).response(from: request, context: context)
        }
        router.put("incidents/:id/postmortem") { request, context -> IncidentReportBody in
            let postmortem = try await request.decode(as: Postmortem.self, context: context)
            let (_, found) = try await incident(context, .triage)
            try await incidents.savePostmortem(found.id, postmortem)
            return IncidentReportBody(try await service.report(found))
        }

        addSettingsRoutes(to: router, authorizer: authorizer, organization: organization)
    }

    /// What a create request asks for, checked against the organization.
    func opening(_ input: IncidentInput, in owner: Organization) async throws -> IncidentService.Opening {
        let title = (input.title ?? "").trimmingCharacters(in: .whitespaces)
        guard (1...500).contains(title.count) else { throw ValidationError(field: "title", reason: "must be 1 to 500 characters") }
        let quiet = input.quietPeriodSeconds ?? 300
        guard (0...86_400).contains(quiet) else { throw ValidationError(field: "quiet_period_seconds", reason: "must be 0 to 86400") }
        if let commander = input.commander { try await requireMember(UserID(commander.value), of: owner, field: "commander") }
        let links = IncidentLinks(issues: input.issues?.map(\.value) ?? [], monitors: input.monitors?.map { MonitorID($0.value) } ?? [],
                                  projects: input.projects?.map { ProjectID($0.value) } ?? [])
        try await checkLinks(links, in: owner)
        return IncidentService.Opening(title: title, severity: try input.parsedSeverity() ?? .high, impact: String((input.impact ?? "").prefix(5_000)),
                                       commanderID: input.commander.map { UserID($0.value) },
                                       policyID: input.escalationPolicy.map { EscalationPolicyID($0.value) }, autoResolve: input.autoResolve ?? false,
                                       quietPeriodSeconds: quiet, links: links)
    }

    func requireMember(_ user: UserID, of organization: Organization, field: String) async throws {
        guard try await repositories.organizations.members(of: organization.id).contains(where: { $0.0.id == user }) else {
            throw ValidationError(field: field, reason: "is not a member of this organization")
        }
    }

    /// Linked monitors, issues and projects must be the organization's own.
    func checkLinks(_ links: IncidentLinks, in organization: Organization) async throws {
        for id in links.monitors {
            guard let monitor = try await repositories.monitors.monitor(id: id), monitor.organizationID == organization.id else {
                throw ValidationError(field: "monitors", reason: "names monitor \(id), which this organization does not have")
            }
        }
        let projects = Set(try await repositories.projects.projects(organizationID: organization.id).map(\.id))
        for id in links.projects where !projects.contains(id) {
            throw ValidationError(field: "projects", reason: "names project \(id), which this organization does not have")
        }
        for id in links.issues {
            guard let issue = try await repositories.issues.issue(id: id), projects.contains(issue.projectID) else {
                throw ValidationError(field: "issues", reason: "names issue \(id), which this organization does not have")
            }
        }
    }

    /// `24h`, `7d`, `30d`, `90d` in seconds.
    static func period(_ text: String) -> TimeInterval? {
        guard let unit = text.last, let count = Double(text.dropLast()), count > 0, count <= 400 else { return nil }
        switch unit {
        case "h": return count * 3_600
        case "d": return count * 86_400
        default: return nil
        }
    }
}
