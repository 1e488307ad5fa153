public import Foundation
public import TelltaleCore
public import TelltalePerformance

/// Business insight from what is already stored: each workflow's attempts and failures from
/// the transaction statistics and the business events it names, its errors and issues from
/// the issues it is attributed to, the revenue they put at risk, and the weighted compliance
/// score.
public struct BusinessReports: Sendable {
    let repositories: Repositories

    public init(repositories: Repositories) {
        self.repositories = repositories
    }

    /// The business-impact summary of an organization over a window.
    public func impact(_ organization: Organization, window: PerformanceWindow) async throws -> BusinessImpactSummary {
        let workflows = try await repositories.business.workflows(organizationID: organization.id)
            .sorted { ($0.draft.weight, $1.draft.name) > ($1.draft.weight, $0.draft.name) }
        let settings = try await repositories.business.settings(organizationID: organization.id)
        let tally = try await tally(organization.id, workflows: workflows, from: window.fromMilliseconds, to: window.toMilliseconds)
        let levels = try await serviceLevels(organization.id, settings: settings, from: window.from, to: window.to)
        let score = WorkflowScore.compliance(tally.figures)
        let days = stride(from: window.fromMilliseconds / PerformanceTally.day * PerformanceTally.day, to: window.toMilliseconds, by: Int(PerformanceTally.day))
        return BusinessImpactSummary(
            complianceScore: score, complianceTarget: settings.complianceTarget, meetsComplianceTarget: score.map { $0 >= settings.complianceTarget },
            currency: settings.currency, revenueAtRisk: tally.total,
            weightsTotal: workflows.reduce(0) { $0 + $1.draft.weight },
            workflows: zip(workflows, tally.figures).map { WorkflowRow(id: $0.0.id.description, figures: $0.1) },
            revenueByDay: days.map { RevenueDay(day: Date(timeIntervalSince1970: Double($0) / 1000), revenueAtRisk: tally.byDay[$0] ?? 0) },
            topIssues: Array(tally.issues.sorted { $0.revenueAtRisk > $1.revenueAtRisk }.prefix(10)),
            sla: levels, period: window.period, from: window.from, to: window.to)
    }

    /// The service levels of `[from, to)`: error rates against requests and mean times to
    /// resolve per severity, each against the organization's target, and the incidents'
    /// auto-resolution rate.
    public func serviceLevels(_ organizationID: OrganizationID, settings: BusinessSettings, from: Date, to: Date) async throws -> ServiceLevelReport {
        let projects = try await repositories.projects.projects(organizationID: organizationID)
        let start = Int64(from.timeIntervalSince1970 * 1000), end = Int64(to.timeIntervalSince1970 * 1000)
        var figures = ServiceLevelFigures()
        for project in projects {
            let stats = try await repositories.performance.stats(PerformanceQuery(projectID: project.id.rawValue, kind: .transaction, from: start, to: end, groupBy: []))
            figures.requests += stats.values.reduce(0) { $0 + $1.count }
        }
        for issue in try await repositories.business.issueFacts(projects: projects.map(\.id), from: start, to: end, tagKeys: []) {
            let events = issue.days.values.reduce(0) { $0 + $1.events }
            figures.errors += events
            if issue.severity == .critical { figures.criticalErrors += events }
            if issue.impact == .revenueBlocking { figures.revenueBlockingErrors += events }
        }
        for resolved in try await repositories.business.resolveTimes(projects: projects.map(\.id), from: start, to: end) {
            figures.resolveMinutes[resolved.severity ?? .medium, default: []].append(resolved.minutes)
        }
        let incidents = try await repositories.incidents.incidents(organizationID: organizationID, openedSince: from).filter { $0.openedAt < to }
        figures.autoResolutionRate = IncidentFigures.summary(incidents).autoResolutionRate
        return ServiceLevelReport(from: from, to: to, levels: ServiceLevels.evaluate(figures, settings: settings), requests: figures.requests,
                                  errors: figures.errors, autoResolutionRate: figures.autoResolutionRate)
    }

    /// The revenue an organization puts at risk in `[from, to)`: what the alert condition reads.
    public func revenueAtRisk(_ organizationID: OrganizationID, from: Date, to: Date) async throws -> Double {
        let workflows = try await repositories.business.workflows(organizationID: organizationID)
        return try await tally(organizationID, workflows: workflows, from: Int64(from.timeIntervalSince1970 * 1000),
                               to: Int64(to.timeIntervalSince1970 * 1000)).total
    }

    /// Everything a window adds up to.
    struct Tally {
        var figures: [WorkflowFigures]
        var byDay: [Int64: Double] = [:]
        var issues: [IssueRevenue] = []
        var total: Double { byDay.values.reduce(0, +) }
    }

    /// Attempts and failures from the transactions, errors and issues from the issues, and
    /// revenue at risk per workflow and day: the larger of its failed operations' value and its
    /// issues' revenue (a failed request usually also reports an error, so adding both would
    /// count one failure twice), plus what issues outside any workflow sent themselves.
    func tally(_ organizationID: OrganizationID, workflows: [Workflow], from: Int64, to: Int64) async throws -> Tally {
        let projects = try await repositories.projects.projects(organizationID: organizationID)
        var tally = Tally(figures: workflows.map { WorkflowFigures(name: $0.draft.name, weight: $0.draft.weight, target: $0.draft.target) })
        var failedValue: [Int: [Int64: Double]] = [:], issueValue: [Int: [Int64: Double]] = [:]
        let day = PerformanceTally.day
        for project in projects where !workflows.isEmpty {
            let stats = try await repositories.performance.stats(PerformanceQuery(projectID: project.id.rawValue, kind: .transaction, from: from, to: to,
                                                                                  resolution: day, groupBy: [.name]))
            for (key, value) in stats {
                for (index, workflow) in workflows.enumerated() where workflow.draft.match.matches(transaction: key.name) {
                    tally.figures[index].attempts += value.count
                    tally.figures[index].failures += value.failures
                    failedValue[index, default: [:]][key.bucket, default: 0] += Double(value.failures) * workflow.draft.valuePerFailure
                }
            }
        }
        // Business events a workflow names: each is an attempt, a failed one a failed attempt.
        if workflows.contains(where: { !$0.draft.match.events.isEmpty }) {
            for day in try await repositories.business.eventDays(projects: projects.map(\.id), from: from, to: to) where day.name != "*" {
                for (index, workflow) in workflows.enumerated() where workflow.draft.match.events.contains(day.name) {
                    tally.figures[index].attempts += day.count
                    tally.figures[index].failures += day.failures
                    failedValue[index, default: [:]][day.day, default: 0] += Double(day.failures) * workflow.draft.valuePerFailure
                }
            }
        }
        let facts = try await repositories.business.issueFacts(projects: projects.map(\.id), from: from, to: to, tagKeys: Self.tagKeys(workflows))
        for issue in facts {
            let index = Self.workflowIndex(of: issue, in: workflows)
            let value = index.map { workflows[$0].draft.valuePerFailure } ?? 0
            var events: Int64 = 0, revenue = 0.0
            for (bucket, counts) in issue.days {
                let amount = counts.atRisk(valuePerFailure: value)
                if let index { issueValue[index, default: [:]][bucket, default: 0] += amount } else { tally.byDay[bucket, default: 0] += amount }
                events += counts.events
                revenue += amount
            }
            if let index {
                tally.figures[index].errors += events
                tally.figures[index].issues += 1
            }
            if revenue > 0 {
                tally.issues.append(IssueRevenue(id: String(issue.issueID), title: issue.title, projectID: issue.projectID.description, events: events,
                                                 revenueAtRisk: revenue, workflow: index.map { workflows[$0].draft.name }))
            }
        }
        for index in workflows.indices {
            let failed = failedValue[index] ?? [:], issues = issueValue[index] ?? [:]
            for bucket in Set(failed.keys).union(issues.keys) {
                let amount = max(failed[bucket] ?? 0, issues[bucket] ?? 0)
                tally.figures[index].revenueAtRisk += amount
                tally.byDay[bucket, default: 0] += amount
            }
        }
        return tally
    }

    /// The revenue at risk of one issue over its life, and the workflow it belongs to.
    public func revenue(issueID: Int64, organizationID: OrganizationID) async throws -> (amount: Double, workflow: String?, currency: String) {
        let workflows = try await repositories.business.workflows(organizationID: organizationID)
        let settings = try await repositories.business.settings(organizationID: organizationID)
        guard let issue = try await repositories.business.issueFacts(issueID: issueID, tagKeys: Self.tagKeys(workflows)) else { return (0, nil, settings.currency) }
        let index = Self.workflowIndex(of: issue, in: workflows)
        let value = index.map { workflows[$0].draft.valuePerFailure } ?? 0
        let amount = issue.days.values.reduce(0.0) { $0 + $1.atRisk(valuePerFailure: value) }
        return (amount, index.map { workflows[$0].draft.name }, settings.currency)
    }

    static func tagKeys(_ workflows: [Workflow]) -> Set<String> { Set(workflows.flatMap(\.draft.match.tags.keys)) }

    /// The workflow an issue belongs to: the first whose tags it carries, else the first whose
    /// transactions or endpoints match where it happened.
    static func workflowIndex(of issue: IssueBusinessFacts, in workflows: [Workflow]) -> Int? {
        workflows.firstIndex { $0.draft.match.matches(tags: issue.tags) }
            ?? workflows.firstIndex { $0.draft.match.matches(transaction: issue.culprit) }
    }
}
