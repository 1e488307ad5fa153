import Foundation
import Hummingbird
import TelltaleBusiness
import TelltaleCore
import TelltaleHTTP

/// The organization overview: error trend by level, top, new and regressed issues,
/// resolution times and each project's error rate.
extension Dashboard {
    struct OverviewView {
        struct Period { var label: String; var href: String; var active: Bool }
        struct ProjectRate { var slug: String; var events: String; var perHour: String; var href: String }
        struct Figure { var label: String; var value: String }
        struct SpikeItem { var href: String; var title: String; var project: String; var line: SpikeLine }
        struct PatternItem { var label: String; var href: String; var detail: String }

        var chrome: Chrome
        var periods: [Period]
        var trend: String
        var legend: [String]
        var figures: [Figure]
        var top: [IssueRowView]
        var fresh: [IssueRowView]
        var regressed: [IssueRowView]
        var projects: [ProjectRate]
        var spikes: [SpikeItem]
        var patterns: [PatternItem]
        var issuesHref: String
        var setup: SetupView?
    }

    func addOverviewRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        router.get("organizations/:org/") { request, context -> Response in
            let scope = try await scope(context.parameters.require("org"), context, .view, section: .overview)
            let weekly = Form.query(of: request)["period"] == "7d"
            return templates.page("overview", try await overview(scope, weekly: weekly))
        }
    }

    func overview(_ scope: PageScope, weekly: Bool, now: Date = Date()) async throws -> OverviewView {
        let bucket: Int64 = weekly ? 86_400 : 3_600
        let span: TimeInterval = weekly ? 7 * 86_400 : 86_400
        let since = now.addingTimeInterval(-span + TimeInterval(bucket))
        let ids = scope.projects.map(\.id)
        let stats = try await repositories.stats.errorStats(projectIDs: ids, since: since, until: now, bucketSeconds: bucket, byCategory: false)
        let total = stats.eventsByLevel.values.reduce(Int64(0)) { $0 + $1.points.reduce(0) { $0 + $1.count } }
        let dayAgo = now.addingTimeInterval(-86_400)
        func list(_ filters: [IssueQuery.Filter], _ sort: IssueSort) async throws -> [IssueRowView] {
            let page = try await repositories.issues.search(IssueSearch(projectIDs: ids, query: IssueQuery(filters: filters), sort: sort, limit: 5, user: scope.principal.user.id))
            return try await rows(page.issues, scope: scope, now: now)
        }
        let unresolved = IssueQuery.unresolved.filters
        let top = try await list(unresolved + [.time(.lastSeen, .greater, dayAgo)], .freq)
        let fresh = try await list([.time(.firstSeen, .greater, dayAgo)], .new)
        let regressed = try await list([.status([.recurring], negated: false)], .date)
        let totals = try await repositories.stats.eventTotals(projectIDs: ids, since: dayAgo, until: now)
        // The day's spikes (the chart's period for the marks), and the strongest patterns.
        let spikes = try await repositories.analysis.spikes(projectIDs: ids, issueID: nil, since: since, limit: 200)
        let titles = try await repositories.analysis.issueTitles(Array(Set(spikes.filter { $0.startedAt >= dayAgo }.prefix(10).compactMap(\.issueID))))
        let slugs = Dictionary(scope.projects.map { ($0.id, $0.slug.rawValue) }, uniquingKeysWith: { a, _ in a })
        let spikeItems = spikes.filter { $0.startedAt >= dayAgo }.prefix(10).map { spike in
            OverviewView.SpikeItem(
                href: spike.issueID.map { "\(scope.orgPath)/issues/\($0)/" } ?? "\(scope.orgPath)/issues/?project=\(slugs[spike.projectID] ?? "")",
                title: spike.issueID.flatMap { titles[$0] } ?? "All errors of \(slugs[spike.projectID] ?? "a project")", project: slugs[spike.projectID] ?? "",
                line: SpikeLine(spike))
        }
        let patterns = try await repositories.analysis.patterns(organizationID: scope.organization.id, limit: 5).map { stored in
            let found = stored.found
            return OverviewView.PatternItem(
                label: found.label, href: found.issueIDs.first.map { "\(scope.orgPath)/issues/\($0)/" } ?? "\(scope.orgPath)/issues/",
                detail: "\(found.issueIDs.count) issues, \(WebFormat.count(Int64(found.occurrences))) events, \(Int((found.confidence * 100).rounded()))% confident")
        }
        let rates: [OverviewView.ProjectRate] = scope.projects.map { project in
            let events = totals[project.id] ?? 0
            return .init(slug: project.slug.rawValue, events: WebFormat.count(events), perHour: String(format: "%.1f", Double(events) / 24),
                         href: "\(scope.orgPath)/issues/?project=\(project.slug.rawValue)")
        }
        var figures: [OverviewView.Figure] = [
            .init(label: weekly ? "Events, 7 days" : "Events, 24 hours", value: WebFormat.count(total)),
            .init(label: "New issues", value: WebFormat.count(stats.newIssues.points.reduce(0) { $0 + $1.count })),
            .init(label: "Resolved", value: WebFormat.count(stats.resolvedIssues)),
            .init(label: "Mean time to resolve", value: stats.meanTimeToResolve.map(WebFormat.duration) ?? "–"),
        ]
        // Reports people filed that still need someone.
        let openReports = try await repositories.userReports.openCounts(projectIDs: scope.projects.map(\.id)).values.reduce(0, +)
        figures.append(.init(label: "Open user reports", value: WebFormat.count(Int64(openReports))))
        // Revenue at risk over the same period, once the organization has workflows or errors sent amounts.
        let revenue = try await BusinessReports(repositories: repositories).revenueAtRisk(scope.organization.id, from: now.addingTimeInterval(-span), to: now)
        if revenue > 0 {
            let currency = try await repositories.business.settings(organizationID: scope.organization.id).currency
            figures.append(.init(label: "Revenue at risk", value: "\(currency) \(WebFormat.money(revenue))"))
        }
        return OverviewView(
            chrome: scope.chrome,
            periods: [.init(label: "24 hours", href: "\(scope.orgPath)/", active: !weekly), .init(label: "7 days", href: "\(scope.orgPath)/?period=7d", active: weekly)],
            trend: Charts.trend(stats.eventsByLevel, bucketSeconds: bucket, marks: spikes.filter { $0.scope == .project }.map { Int64($0.startedAt.timeIntervalSince1970) }),
            legend: Charts.levels,
            figures: figures,
            top: top,
            fresh: fresh,
            regressed: regressed,
            projects: rates,
            spikes: Array(spikeItems),
            patterns: patterns,
            issuesHref: "\(scope.orgPath)/issues/",
            setup: total == 0 && top.isEmpty ? try await setupView(scope) : nil
        )
    }
}
