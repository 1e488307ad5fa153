public import Foundation
public import TelltaleCore
public import TelltalePerformance

/// Business insight from what is already stored: each workflow's attempts and failures from
/// the transaction statistics, its errors and issues from the issues it is attributed to, the
/// revenue they put at risk, and the weighted compliance score.
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
        let projects = try await repositories.projects.projects(organizationID: organization.id)
        var figures = workflows.map { WorkflowFigures(name: $0.draft.name, weight: $0.draft.weight, target: $0.draft.target) }

        // Attempts: the window's transactions, by name, matched to workflows.
        for project in projects {
            let stats = try await repositories.performance.stats(window.query(project.id, .transaction, groupBy: [.name]))
            var byName: [String: DurationStats] = [:]
            for (key, value) in stats { byName[key.name, default: DurationStats()].merge(value) }
            for (name, value) in byName {
                for (index, workflow) in workflows.enumerated() where workflow.draft.match.matches(transaction: name) {
                    figures[index].attempts += value.count
                    figures[index].failures += value.failures
                }
            }
        }

        // Errors, issues and revenue: each issue counts for the first workflow it belongs to.
        let facts = try await repositories.business.issueFacts(projects: projects.map(\.id), from: window.fromMilliseconds, to: window.toMilliseconds,
                                                                tagKeys: Self.tagKeys(workflows))
        var byDay: [Int64: Double] = [:]
        var issues: [IssueRevenue] = []
        for issue in facts {
            let index = Self.workflowIndex(of: issue, in: workflows)
            let value = index.map { workflows[$0].draft.valuePerFailure } ?? 0
            var events: Int64 = 0, revenue = 0.0
            for (day, counts) in issue.days {
                let amount = WorkflowScore.revenue(events: counts.events, eventsWithRevenue: counts.eventsWithRevenue, revenueSent: counts.revenue, valuePerFailure: value)
                byDay[day, default: 0] += amount
                events += counts.events
                revenue += amount
            }
            if let index {
                figures[index].errors += events
                figures[index].issues += 1
                figures[index].revenueAtRisk += revenue
            }
            if revenue > 0 {
                issues.append(IssueRevenue(id: String(issue.issueID), title: issue.title, projectID: issue.projectID.description, events: events,
                                           revenueAtRisk: revenue, workflow: index.map { workflows[$0].draft.name }))
            }
        }
        let score = WorkflowScore.compliance(figures)
        let days = stride(from: window.fromMilliseconds / PerformanceTally.day * PerformanceTally.day, to: window.toMilliseconds, by: Int(PerformanceTally.day))
        return BusinessImpactSummary(
            complianceScore: score, complianceTarget: settings.complianceTarget, meetsComplianceTarget: score.map { $0 >= settings.complianceTarget },
            currency: settings.currency, revenueAtRisk: issues.reduce(0) { $0 + $1.revenueAtRisk },
            weightsTotal: workflows.reduce(0) { $0 + $1.draft.weight },
            workflows: zip(workflows, figures).map { WorkflowRow(id: $0.0.id.description, figures: $0.1) },
            revenueByDay: days.map { RevenueDay(day: Date(timeIntervalSince1970: Double($0) / 1000), revenueAtRisk: byDay[$0] ?? 0) },
            topIssues: Array(issues.sorted { $0.revenueAtRisk > $1.revenueAtRisk }.prefix(10)),
            period: window.period, from: window.from, to: window.to)
    }

    /// The revenue at risk of one issue over its life, and the workflow it belongs to.
    public func revenue(issueID: Int64, organizationID: OrganizationID) async throws -> (amount: Double, workflow: String?, currency: String) {
        let workflows = try await repositories.business.workflows(organizationID: organizationID)
        let settings = try await repositories.business.settings(organizationID: organizationID)
        guard let issue = try await repositories.business.issueFacts(issueID: issueID, tagKeys: Self.tagKeys(workflows)) else { return (0, nil, settings.currency) }
        let index = Self.workflowIndex(of: issue, in: workflows)
        let value = index.map { workflows[$0].draft.valuePerFailure } ?? 0
        let amount = issue.days.values.reduce(0.0) {
            $0 + WorkflowScore.revenue(events: $1.events, eventsWithRevenue: $1.eventsWithRevenue, revenueSent: $1.revenue, valuePerFailure: value)
        }
        return (amount, index.map { workflows[$0].draft.name }, settings.currency)
    }

    /// The revenue an organization's issues put at risk in `[from, to)`: what the alert condition reads.
    public func revenueAtRisk(_ organizationID: OrganizationID, from: Date, to: Date) async throws -> Double {
        let workflows = try await repositories.business.workflows(organizationID: organizationID)
        let projects = try await repositories.projects.projects(organizationID: organizationID)
        let facts = try await repositories.business.issueFacts(projects: projects.map(\.id), from: Int64(from.timeIntervalSince1970 * 1000),
                                                                to: Int64(to.timeIntervalSince1970 * 1000), tagKeys: Self.tagKeys(workflows))
        return facts.reduce(0) { total, issue in
            let value = Self.workflowIndex(of: issue, in: workflows).map { workflows[$0].draft.valuePerFailure } ?? 0
            return total + issue.days.values.reduce(0.0) {
                $0 + WorkflowScore.revenue(events: $1.events, eventsWithRevenue: $1.eventsWithRevenue, revenueSent: $1.revenue, valuePerFailure: value)
            }
        }
    }

    static func tagKeys(_ workflows: [Workflow]) -> Set<String> { Set(workflows.flatMap(\.draft.match.tags.keys)) }

    /// The workflow an issue belongs to: the first whose tags it carries, else the first whose
    /// transactions or endpoints match where it happened.
    static func workflowIndex(of issue: IssueBusinessFacts, in workflows: [Workflow]) -> Int? {
        workflows.firstIndex { $0.draft.match.matches(tags: issue.tags) }
            ?? workflows.firstIndex { $0.draft.match.matches(transaction: issue.culprit) }
    }
}
