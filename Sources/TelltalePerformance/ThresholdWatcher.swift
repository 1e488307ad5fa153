public import Foundation
public import TelltaleCore

/// Judges the performance thresholds of alert rules (`latency_threshold`, `apdex_below`,
/// `web_vital_poor`) against every transaction or page of the projects a rule looks at.
/// What crosses a threshold now is returned; the job remembers what crossed before, so a
/// detection is recorded only on the crossing.
public struct ThresholdWatcher: Sendable {
    let repositories: Repositories

    public init(repositories: Repositories) {
        self.repositories = repositories
    }

    /// A transaction (or page) of a project beyond a rule's thresholds.
    public struct Breach: Sendable, Hashable {
        public var organizationID: OrganizationID
        public var ruleID: AlertRuleID
        public var projectID: ProjectID
        public var name: String
        public var reason: String

        /// What stays the same while the breach lasts.
        public var key: String { "\(ruleID):\(projectID):\(name)" }
    }

    /// The enabled rules holding performance thresholds, with those thresholds.
    public static func watches(_ rule: AlertRule) -> [PerformanceWatch] {
        guard rule.draft.enabled else { return [] }
        return rule.draft.conditions.compactMap { if case .performance(let watch) = $0 { watch } else { nil } }
    }

    /// Records a detection, addressed to its rule, for each breach at `now` that was not
    /// standing; the breaches recorded. One still beyond its threshold is not reported again
    /// until it has come back under.
    public func pass(now: Date, standing: inout StandingCrossings) async throws -> [Breach] {
        let fresh = standing.fresh(try await breaches(now: now), key: \.key)
        for breach in fresh {
            try await repositories.performance.recordThresholdCrossed(projectID: breach.projectID.rawValue, ruleID: breach.ruleID,
                                                                      title: "Performance threshold: \(breach.name)", detail: breach.reason, at: now)
        }
        return fresh
    }

    /// Every breach at `now`, over every organization's rules.
    public func breaches(now: Date) async throws -> [Breach] {
        var found: [Breach] = []
        for organization in try await repositories.organizations.all() {
            let rules = try await repositories.alerts.rules(organizationID: organization.id).filter { !Self.watches($0).isEmpty }
            guard !rules.isEmpty else { continue }
            let projects = try await repositories.projects.projects(organizationID: organization.id)
            var reads = Reads(repositories: repositories, now: now)
            for rule in rules {
                for project in projects where Self.looksAt(rule, project.id) {
                    for (name, reason) in try await judge(rule, project: project.id, reads: &reads) {
                        found.append(Breach(organizationID: organization.id, ruleID: rule.id, projectID: project.id, name: name, reason: reason))
                    }
                }
            }
        }
        return found
    }

    /// A rule without a project filter looks at all of its organization's projects.
    static func looksAt(_ rule: AlertRule, _ project: ProjectID) -> Bool {
        for filter in rule.draft.filters { if case .project(let ids) = filter, !ids.contains(project) { return false } }
        return true
    }

    /// The names beyond the rule's thresholds in one project, with why: any threshold for a
    /// rule matching any condition, all of them for one matching all.
    func judge(_ rule: AlertRule, project: ProjectID, reads: inout Reads) async throws -> [(String, String)] {
        let scope = Scope(rule)
        var reasons: [[String: String]] = []
        for watch in Self.watches(rule) {
            var byName: [String: String] = [:]
            let stats = try await reads.stats(project, watch: watch, scope: scope)
            if watch.readsVitals {
                var pages: [String: [WebVital: DurationStats]] = [:]
                for (key, value) in stats { if let vital = WebVital(rawValue: key.detail) { pages[key.name, default: [:]][vital, default: DurationStats()].merge(value) } }
                for (page, vitals) in pages { if let reason = watch.judge(vitals: vitals) { byName[page] = reason } }
            } else {
                var names: [String: DurationStats] = [:]
                for (key, value) in stats { names[key.name, default: DurationStats()].merge(value) }
                for (name, value) in names { if let reason = watch.judge(value) { byName[name] = reason } }
            }
            reasons.append(byName)
        }
        return Self.combine(reasons, match: rule.draft.match)
    }

    /// Per name, the reasons of the thresholds crossed, when the rule's match is met.
    static func combine(_ reasons: [[String: String]], match: AlertRuleDraft.Match) -> [(String, String)] {
        let names = Set(reasons.flatMap(\.keys))
        return names.sorted().compactMap { name in
            let crossed = reasons.compactMap { $0[name] }
            guard match == .any ? !crossed.isEmpty : crossed.count == reasons.count else { return nil }
            return (name, crossed.joined(separator: "; "))
        }
    }

    /// The rule's environment and release filters, applied to the statistics' keys.
    struct Scope: Hashable {
        var environments: [String]?
        var releases: [String]?

        init(_ rule: AlertRule) {
            for filter in rule.draft.filters {
                if case .environment(let values) = filter { environments = values }
                if case .release(let values) = filter { releases = values }
            }
        }

        func admits(_ key: PerformanceKey) -> Bool {
            (environments.map { $0.contains(key.environment) } ?? true) && (releases.map { $0.contains(key.release) } ?? true)
        }
    }

    /// Statistics read once per pass for every rule asking the same question.
    struct Reads {
        let repositories: Repositories
        let now: Date
        var cache: [String: [PerformanceKey: DurationStats]] = [:]

        mutating func stats(_ project: ProjectID, watch: PerformanceWatch, scope: Scope) async throws -> [PerformanceKey: DurationStats] {
            let kind: PerformanceKind = watch.readsVitals ? .vital : .transaction
            let cacheKey = "\(project):\(kind.rawValue):\(watch.windowSeconds):\(watch.name ?? ""):\(scope.environments ?? []):\(scope.releases ?? [])"
            if let hit = cache[cacheKey] { return hit }
            let at = Int64(now.timeIntervalSince1970 * 1000)
            var groupBy: Set<PerformanceField> = watch.readsVitals ? [.name, .detail] : [.name]
            if scope.environments != nil { groupBy.insert(.environment) }
            if scope.releases != nil { groupBy.insert(.release) }
            // Minute rows (kept 25 h) give a short window exactly; past six hours the hourly
            // rows do, to the hour.
            let exact = watch.windowSeconds <= 6 * 3_600
            let rows = try await repositories.performance.stats(PerformanceQuery(
                projectID: project.rawValue, kind: kind, from: at - Int64(watch.windowSeconds) * 1000, to: at + 1, name: watch.name,
                resolution: exact ? PerformanceTally.minute : nil, groupBy: groupBy))
            let admitted = rows.filter { scope.admits($0.key) }
            cache[cacheKey] = admitted
            return admitted
        }
    }
}
