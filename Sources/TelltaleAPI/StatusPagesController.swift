import Foundation
public import Hummingbird
import Logging
public import TelltaleCore
public import TelltaleHTTP
public import TelltaleMonitors

/// Status pages (with their notices) and maintenance windows. Admins edit, viewers read.
public struct StatusPagesController: Sendable {
    let service: MonitorService
    let repositories: Repositories
    let publicURL: String

    public init(service: MonitorService, repositories: Repositories, publicURL: String) {
        self.service = service
        self.repositories = repositories
        self.publicURL = publicURL
    }

    struct PageInput: Decodable {
        var slug: String
        var title: String
        var description: String?
        var monitors: [String]?
    }

    struct PageBody: ResponseCodable {
        var id: String
        var slug: String
        var title: String
        var description: String
        var monitors: [String]
        var url: String
    }

    struct NoticeInput: Decodable {
        var title: String
        var body: String?
        var severity: String?
    }

    struct NoticeBody: ResponseCodable {
        var id: String
        var title: String
        var body: String
        var severity: String
        var dateCreated: Date
        enum CodingKeys: String, CodingKey {
            case id, title, body, severity
            case dateCreated = "date_created"
        }
    }

    struct WindowInput: Decodable {
        var title: String
        var monitors: [String]?
        var statusPage: String?
        var start: Date?
        var end: Date?
        var weekdays: [Int]?
        var startTime: String?
        var schedule: String?
        var durationMinutes: Int?
        var timezone: String?
        enum CodingKeys: String, CodingKey {
            case title, monitors, start, end, weekdays, schedule, timezone
            case statusPage = "status_page", startTime = "start_time", durationMinutes = "duration_minutes"
        }
    }

    struct WindowBody: ResponseCodable {
        var id: String
        var title: String
        var monitors: [String]
        var statusPage: String?
        var kind: String
        var start: Date?
        var end: Date?
        var weekdays: [Int]?
        var startTime: String?
        var schedule: String?
        var durationMinutes: Int?
        var timezone: String?
        var active: Bool
        enum CodingKeys: String, CodingKey {
            case id, title, monitors, kind, start, end, weekdays, schedule, timezone, active
            case statusPage = "status_page", startTime = "start_time", durationMinutes = "duration_minutes"
        }
    }

    public func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        let authorizer = Authorizer(repositories: repositories)
        router.get("organizations/:org/status-pages/") { _, context -> [PageBody] in
            let organization = try await authorizer.organization(context.parameters.require("org"), try context.requirePrincipal(), .view, scope: .projectRead)
            return try await service.statusPages.pages(organizationID: organization.id).map(body)
        }
        router.post("organizations/:org/status-pages/") { request, context -> EditedResponse<PageBody> in
            let principal = try context.requirePrincipal()
            let input = try await request.decode(as: PageInput.self, context: context)
            let organization = try await authorizer.organization(context.parameters.require("org"), principal, .manage, scope: .projectWrite)
            let (slug, title, monitors) = try await validate(input, organization)
            let page = try await service.statusPages.create(organizationID: organization.id, slug: slug, title: title,
                                                             description: input.description ?? "", monitorIDs: monitors, now: service.now())
            await service.maintenance.invalidate()
            return EditedResponse(status: .created, response: body(page))
        }
        router.put("status-pages/:id/") { request, context -> PageBody in
            let input = try await request.decode(as: PageInput.self, context: context)
            let (organization, page) = try await page(context, .manage)
            let (slug, title, monitors) = try await validate(input, organization)
            guard let updated = try await service.statusPages.update(page.id, slug: slug, title: title, description: input.description ?? page.description,
                                                                     monitorIDs: monitors) else { throw APIError.notFound("status page not found") }
            await service.maintenance.invalidate()
            return body(updated)
        }
        router.delete("status-pages/:id/") { _, context -> HTTPResponse.Status in
            let (_, page) = try await page(context, .manage)
            _ = try await service.statusPages.delete(page.id)
            await service.maintenance.invalidate()
            return .noContent
        }
        router.get("status-pages/:id/notices/") { _, context -> [NoticeBody] in
            let (_, page) = try await page(context, .view)
            return try await service.statusPages.notices(pageID: page.id, limit: 100).map(noticeBody)
        }
        router.post("status-pages/:id/notices/") { request, context -> EditedResponse<NoticeBody> in
            let input = try await request.decode(as: NoticeInput.self, context: context)
            let (_, page) = try await page(context, .manage)
            let title = input.title.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !title.isEmpty, title.count <= 200 else { throw APIError.badRequest("title must be 1 to 200 characters") }
            guard (input.body ?? "").count <= 10_000 else { throw APIError.badRequest("body must be at most 10000 characters") }
            guard let severity = StatusNotice.Severity(rawValue: input.severity ?? "info") else {
                throw APIError.badRequest("severity must be one of \(StatusNotice.Severity.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let notice = try await service.statusPages.postNotice(pageID: page.id, title: title, body: input.body ?? "", severity: severity, now: service.now())
            return EditedResponse(status: .created, response: noticeBody(notice))
        }
        router.delete("status-pages/:id/notices/:notice/") { _, context -> HTTPResponse.Status in
            let (_, page) = try await page(context, .manage)
            guard let id = Int64(try context.parameters.require("notice")),
                  try await service.statusPages.deleteNotice(StatusNoticeID(id), pageID: page.id) else { throw APIError.notFound("notice not found") }
            return .noContent
        }
        router.get("organizations/:org/maintenance-windows/") { _, context -> [WindowBody] in
            let organization = try await authorizer.organization(context.parameters.require("org"), try context.requirePrincipal(), .view, scope: .projectRead)
            let now = service.now()
            return try await service.statusPages.windows(organizationID: organization.id).map { windowBody($0, now: now) }
        }
        router.post("organizations/:org/maintenance-windows/") { request, context -> EditedResponse<WindowBody> in
            let principal = try context.requirePrincipal()
            let input = try await request.decode(as: WindowInput.self, context: context)
            let organization = try await authorizer.organization(context.parameters.require("org"), principal, .manage, scope: .projectWrite)
            let (title, schedule, monitors, pageID) = try await validate(input, organization)
            let window = try await service.statusPages.createWindow(organizationID: organization.id, title: title, schedule: schedule,
                                                                     monitorIDs: monitors, statusPageID: pageID)
            await service.maintenance.invalidate()
            return EditedResponse(status: .created, response: windowBody(window, now: service.now()))
        }
        router.put("maintenance-windows/:id/") { request, context -> WindowBody in
            let input = try await request.decode(as: WindowInput.self, context: context)
            let (organization, window) = try await window(context)
            let (title, schedule, monitors, pageID) = try await validate(input, organization)
            guard let updated = try await service.statusPages.updateWindow(window.id, title: title, schedule: schedule, monitorIDs: monitors,
                                                                           statusPageID: pageID) else { throw APIError.notFound("maintenance window not found") }
            await service.maintenance.invalidate()
            return windowBody(updated, now: service.now())
        }
        router.delete("maintenance-windows/:id/") { _, context -> HTTPResponse.Status in
            let (_, window) = try await window(context)
            _ = try await service.statusPages.deleteWindow(window.id)
            await service.maintenance.invalidate()
            return .noContent
        }
    }

    func body(_ page: StatusPage) -> PageBody {
        PageBody(id: page.id.description, slug: page.slug.rawValue, title: page.title, description: page.description,
                 monitors: page.monitorIDs.map(\.description), url: "\(publicURL)/status/\(page.slug.rawValue)")
    }

    func noticeBody(_ notice: StatusNotice) -> NoticeBody {
        NoticeBody(id: notice.id.description, title: notice.title, body: notice.body, severity: notice.severity.rawValue, dateCreated: notice.createdAt)
    }

    func windowBody(_ window: MaintenanceWindow, now: Date) -> WindowBody {
        var body = WindowBody(id: window.id.description, title: window.title, monitors: window.monitorIDs.map(\.description),
                              statusPage: window.statusPageID?.description, kind: "once", active: window.schedule.contains(now))
        switch window.schedule {
        case .once(let range):
            body.start = range.start
            body.end = range.end
        case .weekly(let days, let minute, let duration, let zone):
            body.kind = "weekly"
            body.weekdays = days.sorted()
            body.startTime = String(format: "%02d:%02d", minute / 60, minute % 60)
            body.durationMinutes = duration
            body.timezone = zone.identifier
        case .cron(let cron, let duration, let zone):
            body.kind = "cron"
            body.schedule = cron.expression
            body.durationMinutes = duration
            body.timezone = zone.identifier
        }
        return body
    }

    func monitorIDs(_ texts: [String], in organization: Organization) async throws -> [MonitorID] {
        guard texts.count <= 500 else { throw APIError.badRequest("monitors must list at most 500 ids") }
        let ids = try texts.map { text -> MonitorID in
            guard let id = Int64(text) else { throw APIError.badRequest("monitors has '\(text)', not a monitor id") }
            return MonitorID(id)
        }
        let found = Set(try await service.monitors.monitors(ids: ids).filter { $0.organizationID == organization.id }.map(\.id))
        if let missing = ids.first(where: { !found.contains($0) }) { throw APIError.badRequest("monitors has '\(missing)', not a monitor of this organization") }
        return ids
    }

    func validate(_ input: PageInput, _ organization: Organization) async throws -> (Slug, String, [MonitorID]) {
        guard let slug = try? Slug(input.slug) else { throw APIError.badRequest("slug must be lowercase letters, digits and dashes") }
        let title = input.title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !title.isEmpty, title.count <= 200 else { throw APIError.badRequest("title must be 1 to 200 characters") }
        return (slug, title, try await monitorIDs(input.monitors ?? [], in: organization))
    }

    func validate(_ input: WindowInput, _ organization: Organization) async throws -> (String, MaintenanceSchedule, [MonitorID], StatusPageID?) {
        let title = input.title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !title.isEmpty, title.count <= 200 else { throw APIError.badRequest("title must be 1 to 200 characters") }
        let zone = try TimeZone.named(input.timezone ?? "UTC")
        let duration = input.durationMinutes ?? 60
        let schedule: MaintenanceSchedule
        if let start = input.start, let end = input.end {
            guard start < end else { throw APIError.badRequest("end must be after start") }
            schedule = .once(TimeRange(start: start, end: end))
        } else if let days = input.weekdays {
            guard !days.isEmpty, days.allSatisfy((0...6).contains) else { throw APIError.badRequest("weekdays must list days 0 (Sunday) to 6") }
            let parts = (input.startTime ?? "").split(separator: ":").compactMap { Int($0) }
            guard parts.count == 2, (0...23).contains(parts[0]), (0...59).contains(parts[1]) else {
                throw APIError.badRequest("start_time must be HH:MM")
            }
            guard (1...10_080).contains(duration) else { throw APIError.badRequest("duration_minutes must be between 1 and 10080") }
            schedule = .weekly(days: Set(days), startMinute: parts[0] * 60 + parts[1], durationMinutes: duration, timeZone: zone)
        } else if let text = input.schedule {
            guard (1...10_080).contains(duration) else { throw APIError.badRequest("duration_minutes must be between 1 and 10080") }
            schedule = .cron(try CronSchedule(text), durationMinutes: duration, timeZone: zone)
        } else {
            throw APIError.badRequest("give start and end (one-off), weekdays and start_time (weekly), or schedule (crontab)")
        }
        var pageID: StatusPageID?
        if let text = input.statusPage {
            guard let id = Int64(text), let page = try await service.statusPages.page(id: StatusPageID(id)), page.organizationID == organization.id else {
                throw APIError.badRequest("status_page '\(text)' is not a status page of this organization")
            }
            pageID = page.id
        }
        let monitors = try await monitorIDs(input.monitors ?? [], in: organization)
        guard !monitors.isEmpty || pageID != nil else { throw APIError.badRequest("give monitors or a status_page for the window to cover") }
        return (title, schedule, monitors, pageID)
    }

    func page(_ context: TelltaleRequestContext, _ action: Action) async throws -> (Organization, StatusPage) {
        try await Authorizer(repositories: repositories).owned("status page", try context.parameters.require("id"), try context.requirePrincipal(), action,
                                                               scope: action == .view ? .projectRead : .projectWrite,
                                                               find: { try await service.statusPages.page(id: StatusPageID($0)) }, organizationOf: \.organizationID)
    }

    func window(_ context: TelltaleRequestContext) async throws -> (Organization, MaintenanceWindow) {
        try await Authorizer(repositories: repositories).owned("maintenance window", try context.parameters.require("id"), try context.requirePrincipal(), .manage,
                                                               scope: .projectWrite,
                                                               find: { try await service.statusPages.window(id: MaintenanceWindowID($0)) }, organizationOf: \.organizationID)
    }
}
