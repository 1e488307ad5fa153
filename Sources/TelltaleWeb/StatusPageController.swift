import Foundation
public import Hummingbird
import NIOCore
import TelltaleCore
public import TelltaleHTTP
public import TelltaleMonitors

/// Public status pages: `/status/{slug}` (HTML, works without JavaScript), `/status/{slug}.json`,
/// `/status/{slug}/feed.atom` (notices) and `/status/{slug}/badge/{component}.svg`. No sign-in;
/// they show only the components, states, uptime, notices and maintenance chosen for the page.
public struct StatusPageController: Sendable {
    let cache: StatusSnapshotCache
    let templates: WebTemplates
    let publicURL: String

    public init(cache: StatusSnapshotCache, templates: WebTemplates, publicURL: String) {
        self.cache = cache
        self.templates = templates
        self.publicURL = publicURL
    }

    public func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        let rendered = RenderedPages()
        router.get("status/:slug") { _, context -> Response in
            var text = try context.parameters.require("slug")
            let json = text.hasSuffix(".json")
            if json { text.removeLast(5) }
            let snapshot = try await snapshot(text)
            // One rendering per snapshot and format, however many readers the page has.
            let body = await rendered.body(for: snapshot, json: json) {
                json ? StatusPageJSON.encode(snapshot) : templates.render("status", StatusPageView(snapshot))
            }
            if json { return Self.response(body, type: "application/json") }
            return WebTemplates.html(body)
        }
        router.get("status/:slug/feed.atom") { _, context -> Response in
            let snapshot = try await snapshot(try context.parameters.require("slug"))
            return Self.response(StatusPageFeed.atom(snapshot, publicURL: publicURL), type: "application/atom+xml; charset=utf-8")
        }
        router.get("status/:slug/badge/:component") { _, context -> Response in
            let snapshot = try await snapshot(try context.parameters.require("slug"))
            var name = try context.parameters.require("component")
            if name.hasSuffix(".svg") { name.removeLast(4) }
            guard let component = snapshot.components.first(where: { StatusPageView.token($0.name) == name }) else {
                throw APIError.notFound("no component '\(name)' on this status page")
            }
            return Self.response(StatusBadge.svg(label: component.name, component: component), type: "image/svg+xml")
        }
    }

    func snapshot(_ slugText: String) async throws -> StatusSnapshot {
        guard let slug = try? Slug(slugText), let snapshot = try await cache.snapshot(slug: slug) else {
            throw APIError.notFound("status page '\(slugText)' not found")
        }
        return snapshot
    }

    static func response(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=30", .xContentTypeOptions: "nosniff"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// The last rendering of each page and format, kept while its snapshot is current.
actor RenderedPages {
    private var bodies: [String: (Date, String)] = [:]

    func body(for snapshot: StatusSnapshot, json: Bool, render: () -> String) -> String {
        let key = snapshot.page.slug.rawValue + (json ? ".json" : "")
        if let (generated, body) = bodies[key], generated == snapshot.generatedAt { return body }
        let body = render()
        if bodies.count > 2_000 { bodies.removeAll() }
        bodies[key] = (snapshot.generatedAt, body)
        return body
    }
}

/// The status page's view model.
struct StatusPageView {
    struct ComponentView { var name: String; var statusToken: String; var statusText: String; var bars: String; var uptime: String; var days: Int }
    struct NoticeView { var title: String; var body: String; var severity: String; var date: String; var dateISO: String }
    struct MaintenanceView { var title: String; var start: String; var startISO: String; var end: String; var endISO: String }

    var title: String
    var description: String
    var slug: String
    var statusToken: String
    var banner: String
    var components: [ComponentView]
    var notices: [NoticeView]
    var hasNotices: Bool
    var activeMaintenance: [MaintenanceView]
    var hasActiveMaintenance: Bool
    var upcomingMaintenance: [MaintenanceView]
    var hasUpcoming: Bool
    var generated: String
    var generatedISO: String

    init(_ snapshot: StatusSnapshot) {
        title = snapshot.page.title
        description = snapshot.page.description
        slug = snapshot.page.slug.rawValue
        statusToken = snapshot.status.token
        banner = Self.banner(snapshot.status)
        let labels = (snapshot.components.first?.days ?? []).map { Charts.dayText($0.start) }
        components = snapshot.components.map { component in
            let uptime = component.uptimePercent.map(WebFormat.percent) ?? "–"
            return ComponentView(name: component.name, statusToken: component.status.token, statusText: component.status.rawValue,
                                 bars: Charts.uptimeBars(component.days, dayLabels: labels, label: "\(component.name): daily uptime for \(component.days.count) days, \(uptime) overall"),
                                 uptime: uptime, days: component.days.count)
        }
        notices = snapshot.notices.map {
            NoticeView(title: $0.title, body: $0.body, severity: $0.severity.rawValue, date: WebFormat.timestamp($0.createdAt), dateISO: WebFormat.iso($0.createdAt))
        }
        hasNotices = !notices.isEmpty
        func view(_ item: StatusSnapshot.Maintenance) -> MaintenanceView {
            MaintenanceView(title: item.title, start: WebFormat.timestamp(item.window.start), startISO: WebFormat.iso(item.window.start),
                            end: WebFormat.timestamp(item.window.end), endISO: WebFormat.iso(item.window.end))
        }
        activeMaintenance = snapshot.maintenance.filter(\.active).map(view)
        hasActiveMaintenance = !activeMaintenance.isEmpty
        upcomingMaintenance = snapshot.maintenance.filter { !$0.active }.map(view)
        hasUpcoming = !upcomingMaintenance.isEmpty
        generated = WebFormat.timestamp(snapshot.generatedAt)
        generatedISO = WebFormat.iso(snapshot.generatedAt)
    }

    static func banner(_ status: ComponentStatus) -> String {
        switch status {
        case .operational: "All systems operational"
        case .degraded: "Some systems are slow"
        case .partialOutage: "Partial outage"
        case .majorOutage: "Major outage"
        case .maintenance: "Maintenance in progress"
        }
    }

    /// A component's name as a URL segment (for its badge).
    static func token(_ name: String) -> String {
        let mapped = name.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
        return mapped.split(separator: "-").joined(separator: "-")
    }
}
