public import Foundation
public import TelltaleCore

/// The business-impact summary, in the API's shape: `compliance_score`, `compliance_target`,
/// `revenue_at_risk` and `workflows: [{"name", "weight", "success_rate", "target", "failures",
/// "revenue_at_risk"}]`, with more beside.
public struct BusinessImpactSummary: Sendable, Encodable {
    public var complianceScore: Double?
    public var complianceTarget: Double
    public var meetsComplianceTarget: Bool?
    public var currency: String
    public var revenueAtRisk: Double
    /// Below 100 while the organization's workflows are being defined.
    public var weightsTotal: Double
    public var workflows: [WorkflowRow]
    public var revenueByDay: [RevenueDay]
    public var topIssues: [IssueRevenue]
    /// Which service-level targets hold over the window.
    public var sla: ServiceLevelReport
    public var period: String
    public var from: Date
    public var to: Date

    enum CodingKeys: String, CodingKey {
        case complianceScore = "compliance_score", complianceTarget = "compliance_target", meetsComplianceTarget = "meets_compliance_target"
        case currency, workflows, period, from, to, sla
        case revenueAtRisk = "revenue_at_risk", weightsTotal = "weights_total", revenueByDay = "revenue_by_day", topIssues = "top_issues"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        // Absent figures are null, not missing: scripts read every key.
        try c.encode(complianceScore, forKey: .complianceScore)
        try c.encode(complianceTarget, forKey: .complianceTarget)
        try c.encode(meetsComplianceTarget, forKey: .meetsComplianceTarget)
        try c.encode(currency, forKey: .currency)
        try c.encode(revenueAtRisk, forKey: .revenueAtRisk)
        try c.encode(weightsTotal, forKey: .weightsTotal)
        try c.encode(workflows, forKey: .workflows)
        try c.encode(revenueByDay, forKey: .revenueByDay)
        try c.encode(topIssues, forKey: .topIssues)
        try c.encode(sla, forKey: .sla)
        try c.encode(period, forKey: .period)
        try c.encode(from, forKey: .from)
        try c.encode(to, forKey: .to)
    }
}

public struct WorkflowRow: Sendable, Encodable {
    public var id: String
    public var name: String
    public var weight: Double
    public var target: Double
    public var attempts: Int64
    public var successes: Int64
    public var failures: Int64
    public var successRate: Double?
    public var meetsTarget: Bool?
    public var errors: Int64
    public var issues: Int
    public var revenueAtRisk: Double

    init(id: String, figures: WorkflowFigures) {
        self.id = id
        name = figures.name
        weight = figures.weight
        target = figures.target
        attempts = figures.attempts
        successes = figures.successes
        failures = figures.failures
        successRate = figures.successRate
        meetsTarget = figures.meetsTarget
        errors = figures.errors
        issues = figures.issues
        revenueAtRisk = figures.revenueAtRisk
    }

    enum CodingKeys: String, CodingKey {
        case id, name, weight, target, attempts, successes, failures, errors, issues
        case successRate = "success_rate", meetsTarget = "meets_target", revenueAtRisk = "revenue_at_risk"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(weight, forKey: .weight)
        try c.encode(target, forKey: .target)
        try c.encode(attempts, forKey: .attempts)
        try c.encode(successes, forKey: .successes)
        try c.encode(failures, forKey: .failures)
        try c.encode(successRate, forKey: .successRate)
        try c.encode(meetsTarget, forKey: .meetsTarget)
        try c.encode(errors, forKey: .errors)
        try c.encode(issues, forKey: .issues)
        try c.encode(revenueAtRisk, forKey: .revenueAtRisk)
    }
}

public struct RevenueDay: Sendable, Encodable {
    public var day: Date
    public var revenueAtRisk: Double

    enum CodingKeys: String, CodingKey { case day, revenueAtRisk = "revenue_at_risk" }
}

public struct IssueRevenue: Sendable, Encodable {
    public var id: String
    public var title: String
    public var projectID: String
    public var events: Int64
    public var revenueAtRisk: Double
    public var workflow: String?

    enum CodingKeys: String, CodingKey { case id, title, events, workflow, projectID = "project_id", revenueAtRisk = "revenue_at_risk" }
}

/// Service levels over a window: each target with its figure and whether it holds.
public struct ServiceLevelReport: Sendable, Encodable {
    public var from: Date
    public var to: Date
    public var levels: [ServiceLevel]
    public var requests: Int64
    public var errors: Int64
    public var autoResolutionRate: Double?

    /// Whether every target that had something to measure holds.
    public var allHold: Bool { levels.allSatisfy { $0.holds != false } }

    enum CodingKeys: String, CodingKey { case from, to, targets, requests, errors, autoResolutionRate = "auto_resolution_rate", allHold = "all_hold" }
    enum LevelKeys: String, CodingKey { case name, unit, target, actual, holds, detail }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(from, forKey: .from)
        try c.encode(to, forKey: .to)
        var targets = c.nestedUnkeyedContainer(forKey: .targets)
        for level in levels {
            var item = targets.nestedContainer(keyedBy: LevelKeys.self)
            try item.encode(level.name, forKey: .name)
            try item.encode(level.unit, forKey: .unit)
            try item.encode(level.target, forKey: .target)
            try item.encode(level.actual, forKey: .actual)
            try item.encode(level.holds, forKey: .holds)
            try item.encode(level.detail, forKey: .detail)
        }
        try c.encode(requests, forKey: .requests)
        try c.encode(errors, forKey: .errors)
        try c.encode(autoResolutionRate, forKey: .autoResolutionRate)
        try c.encode(allHold, forKey: .allHold)
    }
}
