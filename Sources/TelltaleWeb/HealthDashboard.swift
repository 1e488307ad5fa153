import Foundation
import HTTPTypes
public import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import TelltaleCore
public import TelltaleHTTP
public import TelltaleMonitors

/// The health pages of the dashboard: the grid of monitors (live), a monitor's page, the
/// forms to create and edit monitors, status pages and maintenance windows.
public struct HealthDashboard: Sendable {
    let dashboard: Dashboard
    let service: MonitorService
    let publicURL: String

    public init(dashboard: Dashboard, service: MonitorService, publicURL: String) {
        self.dashboard = dashboard
        self.service = service
        self.publicURL = publicURL
    }

    var templates: WebTemplates { dashboard.templates }

    public func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        addGridRoutes(to: router)
        addMonitorRoutes(to: router)
        addFormRoutes(to: router)
        addStatusPageRoutes(to: router)
    }

    /// The monitor a route names, in the organization the route names.
    func monitor(_ scope: PageScope, _ context: TelltaleRequestContext) async throws -> Monitor {
        let idText = try context.parameters.require("id")
        guard let id = Int64(idText), let monitor = try await service.monitors.monitor(id: MonitorID(id)),
              monitor.organizationID == scope.organization.id else { throw APIError.notFound("monitor '\(idText)' not found") }
        return monitor
    }
}

/// One row of the health grid.
struct MonitorRowView {
    var id: String
    var href: String
    var name: String
    var type: String
    var component: String
    var status: String
    var since: String
    var sinceISO: String
    var lastResponse: String
    var sparkline: String
    var uptimeDay: String
    var uptimeMonth: String
}

extension HealthDashboard {
    struct GridView {
        struct Count { var label: String; var value: Int; var token: String; var href: String; var active: Bool }
        var chrome: Chrome
        var counts: [Count]
        var rows: [MonitorRowView]
        var hasRows: Bool
        var newHref: String
        var statusPagesHref: String
        var liveSrc: String
        var query: String
        var previous: String?
        var next: String?
        var total: Int
    }

    static let pageSize = 100

    func addGridRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        router.get("organizations/:org/health/") { request, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .view, section: .health)
            let form = Form.query(of: request)
            let status = form.text("status").flatMap(MonitorStatus.init(rawValue:))
            let page = max(0, Int(form["page"] ?? "") ?? 0)
            let (slice, matching) = try await service.monitors.page(organizationID: scope.organization.id, status: status, text: form.text("q"),
                                                                    offset: page * Self.pageSize, limit: Self.pageSize)
            let tally = try await service.monitors.statusCounts(organizationID: scope.organization.id)
            let base = "\(scope.orgPath)/health/"
            func link(_ page: Int) -> String {
                var parts: [String] = []
                if let status { parts.append("status=\(status.rawValue)") }
                if let raw = form.text("q") { parts.append("q=\(raw.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")") }
                if page > 0 { parts.append("page=\(page)") }
                return base + (parts.isEmpty ? "" : "?" + parts.joined(separator: "&"))
            }
            let counts = [GridView.Count(label: "All", value: tally.values.reduce(0, +), token: "all", href: base, active: status == nil)]
                + [MonitorStatus.up, .degraded, .down, .paused, .pending].map { item in
                    GridView.Count(label: item.rawValue.capitalized, value: tally[item] ?? 0, token: item.rawValue,
                                   href: "\(base)?status=\(item.rawValue)", active: status == item)
                }
            let view = GridView(
                chrome: scope.chrome, counts: counts, rows: try await rows(slice, scope: scope), hasRows: !slice.isEmpty,
                newHref: "\(scope.orgPath)/monitors/new", statusPagesHref: "\(scope.orgPath)/status-pages/",
                liveSrc: "\(base)live", query: form.text("q") ?? "",
                previous: page > 0 ? link(page - 1) : nil,
                next: matching > (page + 1) * Self.pageSize ? link(page + 1) : nil,
                total: matching)
            return templates.page("health", view)
        }
        router.get("organizations/:org/health/live") { _, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .view, section: .health)
            let logger = context.logger
            let body = ResponseBody { writer in
                // Only monitors whose state changed since the last round are read and sent.
                var last = try await service.monitors.lastEventID(organizationID: scope.organization.id)
                let wakes = dashboard.live.changes(.monitors, subjects: [.organization(scope.organization.id)])
                try await LiveStream.pump(&writer, wakes: wakes) {
                    let events = try await service.monitors.events(organizationID: scope.organization.id, after: last, limit: 500)
                    last = events.last?.id ?? last
                    var seen = Set<MonitorID>()
                    let changed = try await service.monitors.monitors(ids: events.map(\.monitorID).filter { seen.insert($0).inserted })
                    var message = ""
                    for row in try await rows(changed, scope: scope) {
                        let html = templates.render("health", RowsOnly(rows: [row]))
                        message += "event: monitor\ndata: {\"id\":\(row.id),\"html\":\(JSONText.quoted(html))}\n\n"
                    }
                    return message
                }
                logger.debug("Live health stream ended")
            }
            return Dashboard.eventStream(body)
        }
    }

    /// Renders only the rows section of the grid template (for live updates).
    struct RowsOnly {
        var rows: [MonitorRowView]
        var rowsOnly = true
    }

    func rows(_ monitors: [Monitor], scope: PageScope) async throws -> [MonitorRowView] {
        let now = service.now()
        let ids = monitors.map(\.id)
        let hourly = try await service.monitors.hourly(monitorIDs: ids, since: now.addingTimeInterval(-86_400))
        let uptime = try await service.uptime(monitors, windows: [TimeRange(start: now.addingTimeInterval(-86_400), end: now),
                                                                  TimeRange(start: now.addingTimeInterval(-30 * 86_400), end: now)])
        return monitors.map { monitor in
            let hours = hourly[monitor.id] ?? []
            let last = hours.last?.meanMilliseconds
            return MonitorRowView(
                id: monitor.id.description, href: "\(scope.orgPath)/monitors/\(monitor.id)/", name: monitor.name, type: monitor.type.rawValue,
                component: monitor.component, status: monitor.state.status.rawValue,
                since: WebFormat.relative(monitor.state.since, now: now), sinceISO: WebFormat.iso(monitor.state.since),
                lastResponse: monitor.type.isActive ? (last.map { "\(Int($0.rounded())) ms" } ?? "–") : "–",
                sparkline: Charts.responseSparkline(hours.compactMap(\.meanMilliseconds)),
                uptimeDay: uptime[monitor.id]?[0].uptimePercent.map(WebFormat.percent) ?? "–",
                uptimeMonth: uptime[monitor.id]?[1].uptimePercent.map(WebFormat.percent) ?? "–")
        }
    }
}
