import Foundation
public import Hummingbird
import Logging
import TelltaleBusiness
import TelltaleCore
public import TelltaleHTTP
import TelltalePerformance

/// The Business page: the weighted compliance score against the organization's target, each
/// workflow's success against its own, and the revenue that errors put at risk. Figures come
/// from `BusinessReports`, the API's source too.
public struct BusinessPages: Sendable {
    let dashboard: Dashboard

    public init(dashboard: Dashboard) {
        self.dashboard = dashboard
    }

    public func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        router.get("organizations/:org/business/") { request, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .view, section: .business)
            let period = request.uri.queryParameters.get("statsPeriod").flatMap { PerformanceWindow.periods.contains($0) ? $0 : nil } ?? "7d"
            let window = try PerformanceWindow(period: period, now: Date())
            let summary = try await BusinessReports(repositories: dashboard.repositories).impact(scope.organization, window: window)
            let metrics = try await BusinessMetricsReports(repositories: dashboard.repositories).metrics(scope.organization, window: window, project: nil, now: Date())
            var view = BusinessView(summary, scope: scope, period: period, path: request.uri.path)
            view.activity = ActivityView(metrics, currency: summary.currency)
            // Each funnel over the period; one of them split by the segment picked.
            let query = request.uri.queryParameters
            let reports = FunnelReports(repositories: dashboard.repositories)
            for funnel in try await dashboard.repositories.business.funnels(organizationID: scope.organization.id).prefix(10) {
                let picked = query.get("funnel") == funnel.id.description ? query.get("segment").flatMap { funnel.draft.segments.contains($0) ? $0 : nil } : nil
                let report = try await reports.report(funnel, window: window, segment: picked)
                view.funnels.append(FunnelView(report, link: { "\(request.uri.path)?statsPeriod=\(period)&funnel=\(funnel.id)&segment=\($0)#funnel-\(funnel.id)" }))
            }
            return dashboard.templates.page("business", view)
        }
        // This week (from Monday 00:00 UTC) and last week, target by target.
        router.get("organizations/:org/business/sla/") { _, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .view, section: .business)
            let reports = BusinessReports(repositories: dashboard.repositories)
            let settings = try await dashboard.repositories.business.settings(organizationID: scope.organization.id)
            var calendar = Calendar(identifier: .iso8601)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let now = Date()
            let monday = calendar.dateInterval(of: .weekOfYear, for: now)?.start ?? now
            let thisWeek = try await reports.serviceLevels(scope.organization.id, settings: settings, from: monday, to: now)
            let lastWeek = try await reports.serviceLevels(scope.organization.id, settings: settings, from: monday.addingTimeInterval(-7 * 86_400), to: monday)
            return dashboard.templates.page("sla", ServiceLevelsView(thisWeek: thisWeek, lastWeek: lastWeek, scope: scope))
        }
        // A template replaces the workflows in one step, like `{"template": …}` in the API.
        router.post("organizations/:org/business/template") { request, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .manage, section: .business)
            let (form, _) = try await Form.body(of: request)
            guard let drafts = form["template"].flatMap(WorkflowTemplates.named) else { throw APIError.badRequest("choose a template") }
            _ = try await dashboard.repositories.business.replaceWorkflows(organizationID: scope.organization.id, drafts, now: Date())
            context.logger.info("Replaced the workflows from a template", metadata: ["template": "\(form["template"] ?? "")"])
            return redirect("\(scope.orgPath)/business/")
        }
    }
}

struct BusinessView: Sendable {
    struct WorkflowCell: Sendable {
        var name: String; var weight: String; var target: String; var successRate: String; var status: String; var statusLabel: String
        var attempts: String; var failures: String; var errors: String; var issues: String; var revenue: String
    }
    struct IssueCell: Sendable { var href: String; var title: String; var events: String; var revenue: String; var workflow: String }
    struct PeriodLink: Sendable { var label: String; var href: String; var active: Bool }

    var chrome: Chrome
    var orgPath: String
    var period: String
    var periods: [PeriodLink]
    var hasWorkflows: Bool
    var score: String
    var target: String
    var gauge: String
    var verdict: String
    var verdictRating: String
    var currency: String
    var revenue: String
    var weightsIncomplete: Bool
    var weightsTotal: String
    var workflows: [WorkflowCell]
    var issues: [IssueCell]
    var revenueChart: String
    var canManage: Bool
    /// What the business events say; nil when none arrived in the period.
    var activity: ActivityView?
    var funnels: [FunnelView] = []

    init(_ summary: BusinessImpactSummary, scope: PageScope, period: String, path: String) {
        chrome = scope.chrome
        orgPath = scope.orgPath
        self.period = period
        periods = ["24h", "7d", "30d"].map { PeriodLink(label: $0, href: "\(path)?statsPeriod=\($0)", active: $0 == period) }
        hasWorkflows = !summary.workflows.isEmpty
        currency = summary.currency
        target = Self.percent(summary.complianceTarget)
        if let value = summary.complianceScore {
            score = Self.percent(value)
            let rating = value >= summary.complianceTarget ? "good" : value >= summary.complianceTarget - 10 ? "needs-improvement" : "poor"
            gauge = Charts.gauge(share: value / 100, rating: rating, label: "Compliance \(Self.percent(value)) of 100")
            verdict = value >= summary.complianceTarget ? "meets the target" : "below the target"
            verdictRating = rating
        } else {
            score = "–"
            gauge = Charts.gauge(share: 0, rating: "none", label: "No compliance score yet")
            verdict = "no attempts in this period"
            verdictRating = "none"
        }
        revenue = WebFormat.money(summary.revenueAtRisk)
        weightsIncomplete = hasWorkflows && abs(summary.weightsTotal - 100) > 0.001
        weightsTotal = Self.percent(summary.weightsTotal)
        workflows = summary.workflows.map { row in
            let status = row.meetsTarget.map { $0 ? "good" : "poor" } ?? "none"
            return WorkflowCell(name: row.name, weight: Self.percent(row.weight), target: Self.percent(row.target),
                                successRate: row.successRate.map { Self.rate($0) } ?? "–", status: status,
                                statusLabel: row.meetsTarget.map { $0 ? "on target" : "below target" } ?? "no attempts",
                                attempts: WebFormat.count(row.attempts), failures: WebFormat.count(row.failures), errors: WebFormat.count(row.errors),
                                issues: String(row.issues), revenue: WebFormat.money(row.revenueAtRisk))
        }
        issues = summary.topIssues.map { issue in
            IssueCell(href: "\(scope.orgPath)/issues/\(issue.id)/", title: issue.title, events: WebFormat.count(issue.events),
                      revenue: WebFormat.money(issue.revenueAtRisk), workflow: issue.workflow ?? "–")
        }
        revenueChart = Charts.categoryBars(summary.revenueByDay.map { (label: WebFormat.utcDay($0.day), count: Int64($0.revenueAtRisk.rounded())) },
                                           unit: summary.currency, caption: "Revenue at risk per day (UTC), in \(summary.currency)")
        canManage = scope.chrome.canManage
    }

    static func percent(_ value: Double) -> String { value == value.rounded() ? "\(Int(value)) %" : String(format: "%.1f %%", value) }

    /// Success rates near 100 % need the second decimal (98.95 % is not 99 %).
    static func rate(_ value: Double) -> String { value >= 99.995 ? "100 %" : String(format: "%.2f %%", value) }
}

struct ServiceLevelsView: Sendable {
    struct Row: Sendable {
        var name: String; var target: String
        var actual: String; var status: String; var statusLabel: String; var detail: String
        var lastActual: String; var lastStatus: String; var lastStatusLabel: String
    }

    var chrome: Chrome
    var orgPath: String
    var verdict: String
    var verdictRating: String
    var since: String
    var rows: [Row]
    var autoResolution: String
    var lastAutoResolution: String

    init(thisWeek: ServiceLevelReport, lastWeek: ServiceLevelReport, scope: PageScope) {
        chrome = scope.chrome
        orgPath = scope.orgPath
        let failing = thisWeek.levels.filter { $0.holds == false }
        verdict = failing.isEmpty ? "Every measured target holds this week" : "\(failing.count) of \(thisWeek.levels.count) targets do not hold this week"
        verdictRating = failing.isEmpty ? "good" : "poor"
        since = WebFormat.timestamp(thisWeek.from)
        func value(_ level: ServiceLevel?) -> String {
            guard let level, let actual = level.actual else { return "–" }
            return level.unit == "%" ? String(format: "%.3f %%", actual) : WebFormat.duration(actual * 60)
        }
        func status(_ level: ServiceLevel?) -> (String, String) {
            switch level?.holds {
            case true?: ("good", "holds")
            case false?: ("poor", "does not hold")
            default: ("none", "nothing to measure")
            }
        }
        rows = thisWeek.levels.map { level in
            let last = lastWeek.levels.first { $0.name == level.name }
            let (rating, label) = status(level), (lastRating, lastLabel) = status(last)
            let target = level.unit == "%" ? "≤ \(String(format: "%g", level.target)) %" : "≤ \(WebFormat.duration(level.target * 60))"
            return Row(name: level.name, target: target, actual: value(level), status: rating, statusLabel: label, detail: level.detail,
                       lastActual: value(last), lastStatus: lastRating, lastStatusLabel: lastLabel)
        }
        autoResolution = thisWeek.autoResolutionRate.map { "\(Int(($0 * 100).rounded())) %" } ?? "no incidents"
        lastAutoResolution = lastWeek.autoResolutionRate.map { "\(Int(($0 * 100).rounded())) %" } ?? "no incidents"
    }
}

/// The business events of the period: active users per day, revenue, each event's adoption,
/// and the churn signal.
struct ActivityView: Sendable {
    struct EventCell: Sendable { var name: String; var count: String; var users: String; var adoption: String; var value: String }

    var activeUsers: String
    var revenue: String
    var usersChart: String
    var events: [EventCell]
    var churn: String

    init?(_ metrics: BusinessMetrics, currency: String) {
        guard !metrics.events.isEmpty else { return nil }
        activeUsers = WebFormat.count(metrics.activeUsersTotal)
        revenue = "\(currency) \(WebFormat.money(metrics.revenueTotal))"
        usersChart = Charts.categoryBars(metrics.activeUsers.map { (label: WebFormat.utcDay($0.day), count: $0.users) }, unit: "users",
                                         caption: "Active users per day (UTC), from business events")
        events = metrics.events.prefix(20).map { row in
            EventCell(name: row.name, count: WebFormat.count(row.count), users: WebFormat.count(row.users),
                      adoption: row.adoption.map { "\(Int(($0 * 100).rounded())) %" } ?? "–", value: row.value == 0 ? "–" : WebFormat.money(row.value))
        }
        let signal = metrics.churn
        churn = signal.rate.map { "\(signal.droppedUsers) of \(signal.previousWeekUsers) users (\(Int(($0 * 100).rounded())) %) came back less than half as often the following week" }
            ?? "No users in the week before last to compare."
    }
}

/// A funnel over the period: each step's users as a share of the first step, conversion from
/// the step before, drop-off and median time; split by a segment when one is picked.
struct FunnelView: Sendable {
    struct StepRow: Sendable { var label: String; var event: String; var users: String; var bar: String; var conversion: String; var dropOff: String; var median: String }
    struct SegmentRow: Sendable { var value: String; var entered: String; var converted: String; var conversion: String; var bar: String }
    struct SegmentLink: Sendable { var name: String; var href: String; var active: Bool }

    var id: String
    var name: String
    var summary: String
    var steps: [StepRow]
    var segmentLinks: [SegmentLink]
    var hasSegments: Bool
    var segment: String?
    var segments: [SegmentRow]

    init(_ report: FunnelReport, link: (String) -> String) {
        id = report.id
        name = report.name
        summary = report.entered == 0 ? "No one entered this funnel in the period."
            : "\(WebFormat.count(report.converted)) of \(WebFormat.count(report.entered)) converted (\(Self.percent(report.conversion))) within \(WebFormat.duration(Double(report.conversionWindowSeconds)))"
        steps = report.steps.map { step in
            StepRow(label: step.label, event: step.label == step.event ? "" : step.event, users: WebFormat.count(step.users), bar: Charts.shareBar(step.conversionFromStart),
                    conversion: step.index == 0 ? "–" : Self.percent(step.conversionFromPrevious), dropOff: step.index == 0 ? "–" : WebFormat.count(step.dropOff),
                    median: step.medianSecondsFromPrevious.map { WebFormat.duration($0) } ?? "–")
        }
        segmentLinks = report.segmentNames.map { SegmentLink(name: $0, href: link($0), active: $0 == report.segment) }
        hasSegments = !segmentLinks.isEmpty
        segment = report.segment
        segments = report.segments.map { row in
            SegmentRow(value: row.value, entered: WebFormat.count(row.entered), converted: WebFormat.count(row.converted),
                       conversion: Self.percent(row.conversion), bar: Charts.shareBar(row.conversion))
        }
    }

    static func percent(_ share: Double?) -> String {
        guard let share else { return "–" }
        return String(format: share * 100 == (share * 100).rounded() ? "%.0f %%" : "%.1f %%", share * 100)
    }
}
