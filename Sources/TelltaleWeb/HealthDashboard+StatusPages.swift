import Foundation
import Hummingbird
import Logging
import TelltaleCore
import TelltaleHTTP
import TelltaleMonitors

/// The status-page editor (which monitors, in which order, notices) and maintenance windows.
extension HealthDashboard {
    struct StatusPagesView {
        struct PageItem { var title: String; var slug: String; var publicHref: String; var editHref: String; var count: Int }
        struct MonitorChoice { var id: String; var name: String; var component: String; var checked: Bool; var position: String }
        struct NoticeItem { var id: String; var title: String; var severity: String; var date: String; var dateISO: String; var deleteAction: String }
        struct WindowItem { var title: String; var when: String; var covers: String; var active: Bool; var deleteAction: String; var editHref: String }
        /// The window form, empty for a new window or filled with the one being edited.
        struct WindowForm {
            var heading: String
            var button: String
            var action: String
            var editing: Bool
            var title: String
            var once: Bool
            var start: String
            var end: String
            var weekdays: [Option]
            var startTime: String
            var duration: String
            var timezone: String
            var pageOptions: [Option]
            var monitors: [Option]
        }
        struct Option { var value: String; var label: String; var selected: Bool }

        var chrome: Chrome
        var pages: [PageItem]
        var hasPages: Bool
        var editing: Bool
        var heading: String
        var action: String
        var slug: String
        var title: String
        var description: String
        var monitors: [MonitorChoice]
        var notices: [NoticeItem]
        var noticeAction: String
        var deleteAction: String
        var severities: [Option]
        var windows: [WindowItem]
        var windowForm: WindowForm
        var error: String?
        var listHref: String
    }

    func addStatusPageRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        router.get("organizations/:org/status-pages/") { _, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .view, section: .health)
            return templates.page("status_pages", try await editorView(scope, page: nil, error: nil))
        }
        router.get("organizations/:org/status-pages/:id/") { _, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .view, section: .health)
            return templates.page("status_pages", try await editorView(scope, page: try await page(scope, context), error: nil))
        }
        router.post("organizations/:org/status-pages/") { request, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .manage, section: .health)
            let (form, _) = try await Form.body(of: request)
            do {
                let (slug, title, monitors) = try Self.pageFields(form, scope: scope, known: try await service.monitors.monitors(organizationID: scope.organization.id))
                let page = try await service.statusPages.create(organizationID: scope.organization.id, slug: slug, title: title,
                                                                 description: form["description"] ?? "", monitorIDs: monitors, now: service.now())
                await service.maintenance.invalidate()
                return redirect("\(scope.orgPath)/status-pages/\(page.id)/")
            } catch let error as ValidationError {
                return templates.page("status_pages", try await editorView(scope, page: nil, error: error.description), status: .badRequest)
            } catch let error as DomainError {
                return templates.page("status_pages", try await editorView(scope, page: nil, error: error.description), status: .conflict)
            }
        }
        router.post("organizations/:org/status-pages/:id/") { request, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .manage, section: .health)
            let page = try await page(scope, context)
            let (form, _) = try await Form.body(of: request)
            do {
                let (slug, title, monitors) = try Self.pageFields(form, scope: scope, known: try await service.monitors.monitors(organizationID: scope.organization.id))
                _ = try await service.statusPages.update(page.id, slug: slug, title: title, description: form["description"] ?? "", monitorIDs: monitors)
                await service.maintenance.invalidate()
                return redirect("\(scope.orgPath)/status-pages/\(page.id)/")
            } catch let error as ValidationError {
                return templates.page("status_pages", try await editorView(scope, page: page, error: error.description), status: .badRequest)
            } catch let error as DomainError {
                return templates.page("status_pages", try await editorView(scope, page: page, error: error.description), status: .conflict)
            }
        }
        router.post("organizations/:org/status-pages/:id/delete") { _, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .manage, section: .health)
            _ = try await service.statusPages.delete(try await page(scope, context).id)
            await service.maintenance.invalidate()
            return redirect("\(scope.orgPath)/status-pages/")
        }
        router.post("organizations/:org/status-pages/:id/notices") { request, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .manage, section: .health)
            let page = try await page(scope, context)
            let (form, _) = try await Form.body(of: request)
            guard let title = form.text("title"), title.count <= 200 else {
                return templates.page("status_pages", try await editorView(scope, page: page, error: "title must be 1 to 200 characters"), status: .badRequest)
            }
            let severity = StatusNotice.Severity(rawValue: form["severity"] ?? "") ?? .info
            _ = try await service.statusPages.postNotice(pageID: page.id, title: title, body: String((form["body"] ?? "").prefix(10_000)), severity: severity, now: service.now())
            return redirect("\(scope.orgPath)/status-pages/\(page.id)/")
        }
        router.post("organizations/:org/status-pages/:id/notices/:notice/delete") { _, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .manage, section: .health)
            let page = try await page(scope, context)
            if let id = Int64(try context.parameters.require("notice")) { _ = try await service.statusPages.deleteNotice(StatusNoticeID(id), pageID: page.id) }
            return redirect("\(scope.orgPath)/status-pages/\(page.id)/")
        }
        router.post("organizations/:org/maintenance-windows/") { request, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .manage, section: .health)
            let (form, _) = try await Form.body(of: request)
            do {
                let (title, schedule, monitors, pageID) = try await windowChoices(form, scope)
                _ = try await service.statusPages.createWindow(organizationID: scope.organization.id, title: title, schedule: schedule, monitorIDs: monitors, statusPageID: pageID)
                await service.maintenance.invalidate()
                return redirect("\(scope.orgPath)/status-pages/")
            } catch let error as ValidationError {
                return templates.page("status_pages", try await editorView(scope, page: nil, error: error.description), status: .badRequest)
            }
        }
        router.get("organizations/:org/maintenance-windows/:id/") { _, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .manage, section: .health)
            return templates.page("status_pages", try await editorView(scope, page: nil, window: try await window(scope, context), error: nil))
        }
        router.post("organizations/:org/maintenance-windows/:id/") { request, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .manage, section: .health)
            let existing = try await window(scope, context)
            let (form, _) = try await Form.body(of: request)
            do {
                let (title, schedule, monitors, pageID) = try await windowChoices(form, scope)
                _ = try await service.statusPages.updateWindow(existing.id, title: title, schedule: schedule, monitorIDs: monitors, statusPageID: pageID)
                await service.maintenance.invalidate()
                return redirect("\(scope.orgPath)/status-pages/")
            } catch let error as ValidationError {
                return templates.page("status_pages", try await editorView(scope, page: nil, window: existing, error: error.description), status: .badRequest)
            }
        }
        router.post("organizations/:org/maintenance-windows/:id/delete") { _, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .manage, section: .health)
            if let id = Int64(try context.parameters.require("id")), let window = try await service.statusPages.window(id: MaintenanceWindowID(id)),
               window.organizationID == scope.organization.id {
                _ = try await service.statusPages.deleteWindow(window.id)
                await service.maintenance.invalidate()
            }
            return redirect("\(scope.orgPath)/status-pages/")
        }
    }

    /// The window's title, schedule and what it covers, from the window form.
    func windowChoices(_ form: Form, _ scope: PageScope) async throws -> (String, MaintenanceSchedule, [MonitorID], StatusPageID?) {
        let (title, schedule) = try Self.windowFields(form)
        let known = Set(try await service.monitors.monitors(organizationID: scope.organization.id).map(\.id))
        let monitors = form.all("monitor").compactMap { Int64($0) }.map(MonitorID.init).filter(known.contains)
        var pageID: StatusPageID?
        if let text = form.text("status_page"), let id = Int64(text), let page = try await service.statusPages.page(id: StatusPageID(id)),
           page.organizationID == scope.organization.id { pageID = page.id }
        guard !monitors.isEmpty || pageID != nil else { throw ValidationError(field: "monitors", reason: "or a status page must be chosen for the window to cover") }
        return (title, schedule, monitors, pageID)
    }

    func window(_ scope: PageScope, _ context: TelltaleRequestContext) async throws -> MaintenanceWindow {
        let idText = try context.parameters.require("id")
        guard let id = Int64(idText), let window = try await service.statusPages.window(id: MaintenanceWindowID(id)), window.organizationID == scope.organization.id else {
            throw APIError.notFound("maintenance window '\(idText)' not found")
        }
        return window
    }

    func page(_ scope: PageScope, _ context: TelltaleRequestContext) async throws -> StatusPage {
        let idText = try context.parameters.require("id")
        guard let id = Int64(idText), let page = try await service.statusPages.page(id: StatusPageID(id)), page.organizationID == scope.organization.id else {
            throw APIError.notFound("status page '\(idText)' not found")
        }
        return page
    }

    /// Slug, title and the chosen monitors ordered by their position fields.
    static func pageFields(_ form: Form, scope: PageScope, known: [Monitor]) throws -> (Slug, String, [MonitorID]) {
        guard let slug = try? Slug(form["slug"] ?? "") else { throw ValidationError(field: "slug", reason: "must be lowercase letters, digits and dashes") }
        guard let title = form.text("title"), title.count <= 200 else { throw ValidationError(field: "title", reason: "must be 1 to 200 characters") }
        let ids = Set(known.map(\.id))
        let chosen = form.all("monitor").compactMap { Int64($0) }.map(MonitorID.init).filter(ids.contains)
        let ordered = chosen.enumerated().sorted { a, b in
            let pa = Int(form["position-\(a.element)"] ?? "") ?? (1000 + a.offset)
            let pb = Int(form["position-\(b.element)"] ?? "") ?? (1000 + b.offset)
            return pa == pb ? a.offset < b.offset : pa < pb
        }.map(\.element)
        return (slug, title, ordered)
    }

    /// A one-off window (start and end, UTC) or a weekly one (days, start time, duration, zone).
    static func windowFields(_ form: Form) throws -> (String, MaintenanceSchedule) {
        guard let title = form.text("title"), title.count <= 200 else { throw ValidationError(field: "title", reason: "must be 1 to 200 characters") }
        let zone = try TimeZone.named(form.text("timezone") ?? "UTC")
        let duration = Int(form["duration_minutes"] ?? "") ?? 60
        guard (1...10_080).contains(duration) else { throw ValidationError(field: "duration_minutes", reason: "must be between 1 and 10080") }
        switch form["kind"] ?? "once" {
        case "weekly":
            let days = Set(form.all("weekday").compactMap { Int($0) }.filter((0...6).contains))
            guard !days.isEmpty else { throw ValidationError(field: "weekdays", reason: "must include at least one day") }
            let parts = (form["start_time"] ?? "").split(separator: ":").compactMap { Int($0) }
            guard parts.count >= 2, (0...23).contains(parts[0]), (0...59).contains(parts[1]) else { throw ValidationError(field: "start_time", reason: "must be HH:MM") }
            return (title, .weekly(days: days, startMinute: parts[0] * 60 + parts[1], durationMinutes: duration, timeZone: zone))
        default:
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            func parse(_ name: String) throws -> Date {
                let text = form["start"].map { _ in form[name] ?? "" } ?? ""
                let pieces = text.split(whereSeparator: { "-T: ".contains($0) }).compactMap { Int($0) }
                guard pieces.count >= 5, let date = calendar.date(from: DateComponents(year: pieces[0], month: pieces[1], day: pieces[2], hour: pieces[3], minute: pieces[4])) else {
                    throw ValidationError(field: name, reason: "must be a date and time (YYYY-MM-DDTHH:MM)")
                }
                return date
            }
            let start = try parse("start")
            let end = try parse("end")
            guard start < end else { throw ValidationError(field: "end", reason: "must be after start") }
            return (title, .once(TimeRange(start: start, end: end)))
        }
    }

    func editorView(_ scope: PageScope, page: StatusPage?, window editing: MaintenanceWindow? = nil, error: String?) async throws -> StatusPagesView {
        let pages = try await service.statusPages.pages(organizationID: scope.organization.id)
        let monitors = try await service.monitors.monitors(organizationID: scope.organization.id)
        let chosen = page?.monitorIDs ?? []
        let choices = monitors.map { monitor in
            StatusPagesView.MonitorChoice(id: monitor.id.description, name: monitor.name, component: monitor.component, checked: chosen.contains(monitor.id),
                                          position: chosen.firstIndex(of: monitor.id).map { String($0 + 1) } ?? "")
        }.sorted { ($0.position.isEmpty ? Int.max : Int($0.position)!) < ($1.position.isEmpty ? Int.max : Int($1.position)!) }
        var notices: [StatusNotice] = []
        if let page { notices = try await service.statusPages.notices(pageID: page.id, limit: 50) }
        let now = service.now()
        let names = Dictionary(uniqueKeysWithValues: monitors.map { ($0.id, $0.name) })
        let pageTitles = Dictionary(uniqueKeysWithValues: pages.map { ($0.id, $0.title) })
        let windows = try await service.statusPages.windows(organizationID: scope.organization.id).map { window in
            var covers = window.monitorIDs.compactMap { names[$0] }
            if let id = window.statusPageID { covers.insert("every monitor of \(pageTitles[id] ?? "a status page")", at: 0) }
            return StatusPagesView.WindowItem(title: window.title, when: Self.describe(window.schedule), covers: covers.joined(separator: ", "),
                                              active: window.schedule.contains(now), deleteAction: "\(scope.orgPath)/maintenance-windows/\(window.id)/delete",
                                              editHref: "\(scope.orgPath)/maintenance-windows/\(window.id)/")
        }
        return StatusPagesView(
            chrome: scope.chrome,
            pages: pages.map { .init(title: $0.title, slug: $0.slug.rawValue, publicHref: "/status/\($0.slug.rawValue)",
                                     editHref: "\(scope.orgPath)/status-pages/\($0.id)/", count: $0.monitorIDs.count) },
            hasPages: !pages.isEmpty,
            editing: page != nil,
            heading: page.map { "Edit \($0.title)" } ?? "New status page",
            action: page.map { "\(scope.orgPath)/status-pages/\($0.id)/" } ?? "\(scope.orgPath)/status-pages/",
            slug: page?.slug.rawValue ?? "", title: page?.title ?? "", description: page?.description ?? "",
            monitors: choices,
            notices: notices.map { notice in
                StatusPagesView.NoticeItem(id: notice.id.description, title: notice.title, severity: notice.severity.rawValue, date: WebFormat.timestamp(notice.createdAt),
                      dateISO: WebFormat.iso(notice.createdAt), deleteAction: "\(scope.orgPath)/status-pages/\(page!.id)/notices/\(notice.id)/delete")
            },
            noticeAction: page.map { "\(scope.orgPath)/status-pages/\($0.id)/notices" } ?? "",
            deleteAction: page.map { "\(scope.orgPath)/status-pages/\($0.id)/delete" } ?? "",
            severities: StatusNotice.Severity.allCases.map { .init(value: $0.rawValue, label: $0.rawValue, selected: $0 == .info) },
            windows: windows,
            windowForm: Self.windowForm(editing, scope: scope, pages: pages, monitors: monitors),
            error: error,
            listHref: "\(scope.orgPath)/status-pages/")
    }

    static func windowForm(_ window: MaintenanceWindow?, scope: PageScope, pages: [StatusPage], monitors: [Monitor]) -> StatusPagesView.WindowForm {
        var form = StatusPagesView.WindowForm(
            heading: window.map { "Edit \($0.title)" } ?? "New maintenance window", button: window == nil ? "Add window" : "Save window",
            action: window.map { "\(scope.orgPath)/maintenance-windows/\($0.id)/" } ?? "\(scope.orgPath)/maintenance-windows/",
            editing: window != nil, title: window?.title ?? "", once: true, start: "", end: "", weekdays: [], startTime: "", duration: "60",
            timezone: "UTC",
            pageOptions: [.init(value: "", label: "None", selected: window?.statusPageID == nil)]
                + pages.map { .init(value: $0.id.description, label: $0.title, selected: $0.id == window?.statusPageID) },
            monitors: monitors.map { .init(value: $0.id.description, label: $0.name, selected: window?.monitorIDs.contains($0.id) ?? false) })
        var days: Set<Int> = []
        switch window?.schedule {
        case .once(let range):
            let format = Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().dateTimeSeparator(.standard).time(includingFractionalSeconds: false)
            form.start = String(range.start.formatted(format).prefix(16))
            form.end = String(range.end.formatted(format).prefix(16))
        case .weekly(let weekdays, let minute, let duration, let zone):
            form.once = false
            days = weekdays
            form.startTime = String(format: "%02d:%02d", minute / 60, minute % 60)
            form.duration = String(duration)
            form.timezone = zone.identifier
        case .cron(_, let duration, let zone):
            form.duration = String(duration)
            form.timezone = zone.identifier
        case nil:
            break
        }
        // Monday first, as the week is read; the form's values are Sunday = 0.
        form.weekdays = [(1, "Mon"), (2, "Tue"), (3, "Wed"), (4, "Thu"), (5, "Fri"), (6, "Sat"), (0, "Sun")].map {
            .init(value: String($0.0), label: $0.1, selected: days.contains($0.0))
        }
        return form
    }

    static func describe(_ schedule: MaintenanceSchedule) -> String {
        switch schedule {
        case .once(let range): return "\(WebFormat.timestamp(range.start)) to \(WebFormat.timestamp(range.end))"
        case .weekly(let days, let minute, let duration, let zone):
            let names = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
            return "every \(days.sorted().map { names[$0] }.joined(separator: ", ")) at \(String(format: "%02d:%02d", minute / 60, minute % 60)) \(zone.identifier) for \(WebFormat.exactDuration(TimeInterval(duration * 60)))"
        case .cron(let cron, let duration, let zone):
            return "cron \(cron.expression) \(zone.identifier) for \(WebFormat.exactDuration(TimeInterval(duration * 60)))"
        }
    }
}
