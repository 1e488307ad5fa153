import Foundation
public import Hummingbird
import Logging
public import TelltaleCore
public import TelltaleHTTP
public import TelltaleMonitors

/// Monitors, their history and uptime, the health summary and "run now". Viewers read,
/// members pause, resume and run checks, admins create, edit and delete.
public struct MonitorsController: Sendable {
    let service: MonitorService
    let repositories: Repositories
    let publicURL: String

    public init(service: MonitorService, repositories: Repositories, publicURL: String) {
        self.service = service
        self.repositories = repositories
        self.publicURL = publicURL
    }

    public func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        let authorizer = Authorizer(repositories: repositories)
        router.get("organizations/:org/monitors/") { _, context -> [MonitorBody] in
            let organization = try await authorizer.organization(context.parameters.require("org"), try context.requirePrincipal(), .view, scope: .projectRead)
            return try await service.monitors.monitors(organizationID: organization.id).map { MonitorBody($0, publicURL: publicURL) }
        }
        router.post("organizations/:org/monitors/") { request, context -> EditedResponse<MonitorBody> in
            let principal = try context.requirePrincipal()
            let input = try await request.decode(as: MonitorSpec.self, context: context)
            let organization = try await authorizer.organization(context.parameters.require("org"), principal, .manage, scope: .projectWrite)
            let projectID = try await project(input.project, in: organization)
            let monitor = try await service.create(in: organization.id, try input.draft(projectID: projectID))
            context.logger.info("Created a monitor", metadata: ["monitor.id": "\(monitor.id)", "monitor.type": "\(monitor.type.rawValue)"])
            return EditedResponse(status: .created, response: MonitorBody(monitor, publicURL: publicURL))
        }
        router.get("monitors/:id/") { _, context -> MonitorBody in
            MonitorBody(try await monitor(context, .view, .projectRead).1, publicURL: publicURL)
        }
        router.put("monitors/:id/") { request, context -> MonitorBody in
            let input = try await request.decode(as: MonitorSpec.self, context: context)
            let (organization, existing) = try await monitor(context, .manage, .projectWrite)
            guard input.type == existing.type.rawValue else {
                throw APIError.badRequest("type cannot change (it is \(existing.type.rawValue)); create a new monitor instead")
            }
            let draft = try input.draft(projectID: try await project(input.project, in: organization) ?? existing.projectID, existing: existing)
            guard let updated = try await service.monitors.update(existing.id, draft, now: service.now()) else { throw APIError.notFound("monitor not found") }
            await service.maintenance.invalidate()
            return MonitorBody(updated, publicURL: publicURL)
        }
        router.delete("monitors/:id/") { _, context -> HTTPResponse.Status in
            let (_, existing) = try await monitor(context, .manage, .projectWrite)
            _ = try await service.monitors.delete(existing.id)
            context.logger.info("Deleted a monitor", metadata: ["monitor.id": "\(existing.id)"])
            return .noContent
        }
        router.post("monitors/:id/pause") { _, context -> MonitorBody in
            let (_, existing) = try await monitor(context, .triage, .projectWrite)
            let updated = try await service.monitors.setPaused(existing.id, true, now: service.now()) ?? existing
            return MonitorBody(updated, publicURL: publicURL)
        }
        router.post("monitors/:id/resume") { _, context -> MonitorBody in
            let (_, existing) = try await monitor(context, .triage, .projectWrite)
            let updated = try await service.monitors.setPaused(existing.id, false, now: service.now()) ?? existing
            return MonitorBody(updated, publicURL: publicURL)
        }
        router.get("monitors/:id/results/") { request, context -> [ResultBody] in
            let (_, existing) = try await monitor(context, .view, .projectRead)
            let limit = min(1000, max(1, request.uri.queryParameters.get("limit", as: Int.self) ?? 100))
            return try await service.monitors.results(monitorID: existing.id, limit: limit).map(ResultBody.init)
        }
        router.get("monitors/:id/downtimes/") { _, context -> [DowntimeBody] in
            let (_, existing) = try await monitor(context, .view, .projectRead)
            let now = service.now()
            return try await service.monitors.downtimes(monitorID: existing.id, limit: 500).map { DowntimeBody($0, now: now) }
        }
        router.get("monitors/:id/uptime/") { request, context -> UptimeBody in
            let (_, existing) = try await monitor(context, .view, .projectRead)
            let window = try Self.window(request)
            let report = try await service.uptime(existing, window: window)
            return UptimeBody(report, percentiles: try await service.percentiles(existing.id, since: window.start))
        }
        router.get("organizations/:org/health/") { _, context -> HealthBody in
            let organization = try await authorizer.organization(context.parameters.require("org"), try context.requirePrincipal(), .view, scope: .projectRead)
            let monitors = try await service.monitors.monitors(organizationID: organization.id)
            let statuses = monitors.map(\.state.status)
            var counts: [String: Int] = [:]
            for status in MonitorStatus.allCases { counts[status.rawValue] = statuses.filter { $0 == status }.count }
            let overall = ComponentStatus.overall([ComponentStatus.of(statuses, inMaintenance: false)])
            return HealthBody(status: overall.token, counts: counts, monitors: monitors.map {
                HealthBody.Entry(id: $0.id.description, name: $0.name, type: $0.type.rawValue, component: $0.component, status: $0.state.status.rawValue, since: $0.state.since)
            })
        }
        router.post("organizations/:org/health/run") { request, context -> [RunResultBody] in
            let principal = try context.requirePrincipal()
            let body = try await request.decode(as: RunBody.self, context: context)
            let organization = try await authorizer.organization(context.parameters.require("org"), principal, .triage, scope: .projectWrite)
            guard body.monitors.count <= 100 else { throw APIError.badRequest("monitors must list at most 100 ids") }
            let ids = try body.monitors.map { text -> MonitorID in
                guard let id = Int64(text) else { throw APIError.badRequest("monitors has '\(text)', not a monitor id") }
                return MonitorID(id)
            }
            let found = try await service.monitors.monitors(ids: ids).filter { $0.organizationID == organization.id }
            if let missing = ids.first(where: { id in !found.contains { $0.id == id } }) { throw APIError.notFound("monitor '\(missing)' not found") }
            return try await service.runNow(found).map { RunResultBody(monitor: $0.0.id.description, name: $0.0.name, result: ResultBody($0.1)) }
        }
    }

    /// The monitor a route names, checked against the caller's role in its organization.
    func monitor(_ context: TelltaleRequestContext, _ action: Action, _ scope: Scope) async throws -> (Organization, Monitor) {
        try await Authorizer(repositories: repositories).owned("monitor", try context.parameters.require("id"), try context.requirePrincipal(), action, scope: scope,
                                                               find: { try await service.monitors.monitor(id: MonitorID($0)) }, organizationOf: \.organizationID)
    }

    func project(_ slugText: String?, in organization: Organization) async throws -> ProjectID? {
        guard let slugText, !slugText.isEmpty else { return nil }
        guard let slug = try? Slug(slugText), let project = try await repositories.projects.project(organizationID: organization.id, slug: slug) else {
            throw APIError.badRequest("project '\(slugText)' is not a project of this organization")
        }
        return project.id
    }

    /// `?days=N` (default 30, up to 400) or `?start=…&end=…` (ISO 8601).
    static func window(_ request: Request) throws -> TimeRange {
        let now = Date()
        let query = request.uri.queryParameters
        if let startText = query.get("start"), let endText = query.get("end") {
            let parser = ISO8601DateFormatter()
            guard let start = parser.date(from: String(startText)), let end = parser.date(from: String(endText)), start < end else {
                throw APIError.badRequest("start and end must be ISO 8601 times with start before end")
            }
            return TimeRange(start: start, end: min(end, now))
        }
        let daysText = query.get("days")
        guard let days = Double(daysText ?? "30"), days > 0, days <= 400 else { throw APIError.badRequest("days must be a number between 0 and 400") }
        return TimeRange(start: now.addingTimeInterval(-days * 86_400), end: now)
    }
}
