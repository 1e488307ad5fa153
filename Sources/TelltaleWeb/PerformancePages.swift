import Foundation
public import Hummingbird
import TelltaleCore
public import TelltaleHTTP
import TelltalePerformance

/// The performance pages: transactions, one transaction, a stored transaction's waterfall,
/// web vitals and releases, all for one project of the organization (`?project=`) over a
/// period (`?statsPeriod=`). Figures come from `PerformanceReports`, the API's source too.
public struct PerformancePages: Sendable {
    let dashboard: Dashboard

    public init(dashboard: Dashboard) {
        self.dashboard = dashboard
    }

    var reports: PerformanceReports { PerformanceReports(repositories: dashboard.repositories) }

    public func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        router.get("organizations/:org/performance/") { request, context -> Response in
            let page = try await self.page(request, context)
            let rows = try await reports.transactions(page.project, page.window, sort: page.sort)
            let spans = try await reports.spans(page.project, page.window, op: "db", sort: "-total", limit: 10)
            let resolution = RollupPlan.resolution(from: page.window.fromMilliseconds, to: page.window.toMilliseconds)
            let points = try await dashboard.repositories.performance.stats(page.window.query(page.project.id, .transaction, resolution: resolution, groupBy: []))
            let series = PerformanceReports.fill(points, from: page.window.fromMilliseconds, to: page.window.toMilliseconds, resolution: resolution)
            return dashboard.templates.page("performance", PerformanceListView(
                page: page, rows: rows.map { TransactionRowView($0, page: page) },
                charts: PerformanceCharts(series, resolution: resolution), slowQueries: spans.map { SpanRowView($0, page: page) }))
        }
        router.get("organizations/:org/performance/transaction/") { request, context -> Response in
            let page = try await self.page(request, context)
            guard let name = request.uri.queryParameters.get("name"), !name.isEmpty else { throw APIError.badRequest("name is needed") }
            guard let detail = try await reports.transaction(page.project, name: String(name), page.window) else {
                throw APIError.notFound("no transaction '\(name)' in the last \(page.window.period)")
            }
            return dashboard.templates.page("transaction", TransactionView(detail, page: page))
        }
        router.get("organizations/:org/performance/events/:event_id/") { request, context -> Response in
            let page = try await self.page(request, context)
            let id = try context.parameters.require("event_id")
            guard let stored = try await dashboard.repositories.performance.transaction(projectID: page.project.id.rawValue, eventID: id),
                  let waterfall = Waterfall(payload: stored.payload) else { throw APIError.notFound("transaction '\(id)' not found") }
            return dashboard.templates.page("trace", TraceView(waterfall, sample: stored.sample, page: page))
        }
        router.get("organizations/:org/performance/web-vitals/") { request, context -> Response in
            let page = try await self.page(request, context)
            let segment = request.uri.queryParameters.get("segment").flatMap { PerformanceReports.segmentDimensions.contains($0) ? $0 : nil } ?? "device"
            let report = try await reports.webVitals(page.project, page.window, segment: segment)
            return dashboard.templates.page("web_vitals", WebVitalsView(report, page: page, segment: segment))
        }
        router.get("organizations/:org/releases/") { request, context -> Response in
            let page = try await self.page(request, context, defaultPeriod: "30d")
            let rows = try await reports.releases(page.project, page.window)
            return dashboard.templates.page("releases", ReleasesView(page: page, rows: rows.map { ReleaseRowView($0, page: page) }))
        }
        router.get("organizations/:org/releases/:version/") { request, context -> Response in
            let page = try await self.page(request, context, defaultPeriod: "30d")
            let version = try context.parameters.require("version").removingPercentEncoding ?? ""
            let compare = request.uri.queryParameters.get("compare").flatMap { $0.isEmpty ? nil : $0 }
            guard let detail = try await reports.release(page.project, version: version, compareWith: compare, page.window) else {
                throw APIError.notFound("release '\(version)' has no activity in the last \(page.window.period)")
            }
            let others = try await reports.releases(page.project, page.window).map(\.version).filter { $0 != version }
            return dashboard.templates.page("release", ReleaseView(detail, page: page, others: others))
        }
    }

    /// The organization, its project chosen by `?project=` (the first one by default), the period and filters.
    func page(_ request: Request, _ context: TelltaleRequestContext, defaultPeriod: String = "24h") async throws -> PerformancePage {
        let scope = try await dashboard.scope(context.parameters.require("org"), context, .view, section: .performance)
        let query = request.uri.queryParameters
        let wanted = query.get("project")
        guard let project = scope.projects.first(where: { $0.slug.rawValue == wanted }) ?? scope.projects.first else {
            throw APIError.notFound("this organization has no projects yet")
        }
        let period = query.get("statsPeriod").flatMap { PerformanceWindow.periods.contains($0) ? $0 : nil } ?? defaultPeriod
        let window = try PerformanceWindow(period: period, environment: query.get("environment"), now: Date())
        let sort = query.get("sort").flatMap { TransactionRow.sortColumns.contains($0.hasPrefix("-") ? String($0.dropFirst()) : $0) ? $0 : nil }
        return PerformancePage(scope: scope, project: project, window: window, sort: sort ?? "-count", path: request.uri.path)
    }
}

