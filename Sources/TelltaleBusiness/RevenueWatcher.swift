public import Foundation
public import TelltaleCore

/// Judges alert rules' `revenue_at_risk` conditions: the revenue an organization's issues put
/// at risk over each condition's window against its amount. A crossing is recorded as a
/// detection addressed to the rule, once, until the revenue falls back under.
public struct RevenueWatcher: Sendable {
    let repositories: Repositories

    public init(repositories: Repositories) {
        self.repositories = repositories
    }

    public struct Breach: Sendable, Hashable {
        public var organizationID: OrganizationID
        public var ruleID: AlertRuleID
        public var reason: String

        public var key: String { "\(ruleID):\(organizationID)" }
    }

    /// Records the breaches at `now` that were not standing; the breaches recorded.
    public func pass(now: Date, standing: inout StandingCrossings) async throws -> [Breach] {
        var breaches: [Breach] = []
        let reports = BusinessReports(repositories: repositories)
        for organization in try await repositories.organizations.all() {
            let rules = try await repositories.alerts.rules(organizationID: organization.id).filter { $0.draft.enabled && !Self.thresholds($0).isEmpty }
            guard !rules.isEmpty else { continue }
            let currency = try await repositories.business.settings(organizationID: organization.id).currency
            var atRisk: [Int: Double] = [:]
            for rule in rules {
                var reasons: [String] = []
                let thresholds = Self.thresholds(rule)
                for (amount, window) in thresholds {
                    if atRisk[window] == nil { atRisk[window] = try await reports.revenueAtRisk(organization.id, from: now.addingTimeInterval(-Double(window)), to: now) }
                    let value = atRisk[window] ?? 0
                    if value > amount { reasons.append("\(currency) \(Self.money(value)) at risk in \(RuleEngine.duration(window)) (over \(Self.money(amount)))") }
                }
                guard rule.draft.match == .any ? !reasons.isEmpty : reasons.count == thresholds.count else { continue }
                breaches.append(Breach(organizationID: organization.id, ruleID: rule.id, reason: reasons.joined(separator: "; ")))
            }
        }
        let fresh = standing.fresh(breaches, key: \.key)
        for breach in fresh {
            try await repositories.business.recordRevenueCrossed(organizationID: breach.organizationID, ruleID: breach.ruleID, title: "Revenue at risk",
                                                                 detail: breach.reason, at: now)
        }
        return fresh
    }

    static func thresholds(_ rule: AlertRule) -> [(amount: Double, window: Int)] {
        rule.draft.conditions.compactMap { if case .revenueAtRisk(let amount, let window) = $0 { (amount, window) } else { nil } }
    }

    static func money(_ value: Double) -> String { String(format: "%.2f", value) }
}
