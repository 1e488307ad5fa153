public import Foundation

/// How issues and monitors relate, pure: each kind of evidence gives a confidence from 0 to 1,
/// and the correlations of an issue add up to one impact assessment.
public enum Correlation {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case temporal, component, user, trace, dependency
    }

    /// One piece of evidence that two things are related.
    public struct Evidence: Sendable, Hashable {
        public var kind: Kind
        public var confidence: Double
        /// What was measured, in words (`co-occurred in 9 of 11 five-minute buckets, lift 14.2`).
        public var detail: String

        public init(kind: Kind, confidence: Double, detail: String) {
            self.kind = kind
            self.confidence = (min(0.99, max(0, confidence)) * 100).rounded() / 100
            self.detail = detail
        }
    }

    /// Co-occurrence of two series of active buckets beyond chance: how many of `target`'s
    /// buckets have the other active in the same or a neighbouring bucket, against what
    /// independence would give (a binomial z-score on the other's base rate). Nil below a lift
    /// of 2, and below two co-occurrences unless both are that new or rare (at most two active
    /// buckets each: two issues born in the same five minutes).
    public static func temporal(target: Set<Int64>, other: Set<Int64>, buckets total: Int, bucket: Int64) -> Evidence? {
        let together = target.filter { other.contains($0) || other.contains($0 - bucket) || other.contains($0 + bucket) }.count
        return temporal(together: together, target: target.count, other: other.count, buckets: total)
    }

    /// The same from counts: `together` of the target's `target` active buckets have the other
    /// (active in `other` buckets of `total`) within one bucket.
    public static func temporal(together: Int, target: Int, other: Int, buckets total: Int) -> Evidence? {
        guard target > 0, other > 0, total > 0 else { return nil }
        // The chance that a bucket has the other active within one bucket.
        let p = min(1, Double(other) * 3 / Double(total))
        let expected = Double(target) * p
        let lift = expected > 0 ? Double(together) / expected : 0
        guard together >= 2 || (together == 1 && target <= 2 && other <= 2), lift >= 2 else { return nil }
        let z = (Double(together) - expected) / max(1e-9, (expected * (1 - p)).squareRoot())
        let confidence = normalCDF(z) * Double(together) / Double(together + 1)
        return Evidence(kind: .temporal, confidence: confidence,
                        detail: "active together in \(together) of \(target) five-minute buckets, \(String(format: "%.1f", lift))× what chance gives")
    }

    /// Shared users or traces: the share of the smaller side, discounted when few are shared.
    public static func shared(_ kind: Kind, shared: Int, target: Int, other: Int, noun: String) -> Evidence? {
        guard shared > 0, target > 0, other > 0 else { return nil }
        let share = Double(shared) / Double(min(target, other))
        let confidence = min(1, share) * Double(shared) / Double(shared + 1)
        return Evidence(kind: kind, confidence: confidence, detail: "\(shared) \(noun)\(shared == 1 ? "" : "s") in common")
    }

    /// The same failing component: culprit module and/or transaction.
    public static func component(sameModule: Bool, sameTransaction: Bool, name: String) -> Evidence? {
        guard sameModule || sameTransaction else { return nil }
        let confidence = sameModule && sameTransaction ? 0.8 : sameTransaction ? 0.7 : 0.6
        return Evidence(kind: .component, confidence: confidence, detail: "both fail in \(name)")
    }

    /// A monitor going down followed by an issue's errors: the issue's events in the 15 minutes
    /// after the monitor went down against its rate in the hour before (an issue first seen
    /// after the monitor went down counts as a rise from nothing). Nil without a threefold rise.
    public static func dependency(monitorName: String, downAt: Date, before: Int, after: Int, firstSeen: Date) -> Evidence? {
        guard after >= 2 else { return nil }
        let began = firstSeen >= downAt.addingTimeInterval(-60)
        // Per quarter hour: the hour before has four.
        let baseline = Double(before) / 4
        let ratio = began || baseline == 0 ? Double.infinity : Double(after) / baseline
        guard ratio >= 3 else { return nil }
        let strength = ratio.isInfinite ? 1 : min(1, log2(ratio) / 5)
        let confidence = (0.55 + 0.4 * strength) * Double(after) / Double(after + 2)
        let what = began ? "first seen" : "\(after) events (\(String(format: "%.0f", ratio))× the hour before)"
        return Evidence(kind: .dependency, confidence: confidence, detail: "\(what) within 15 minutes after \(monitorName) went down at \(downAt.iso8601)")
    }

    /// Several pieces of evidence for one pair: at least one is right (noisy-or).
    public static func combined(_ evidence: [Evidence]) -> Double {
        let miss = evidence.reduce(1.0) { $0 * (1 - $1.confidence) }
        return (min(0.99, 1 - miss) * 100).rounded() / 100
    }

    /// The standard normal distribution function.
    static func normalCDF(_ z: Double) -> Double { 0.5 * erfc(-z / 2.squareRoot()) }
}

/// What an issue's correlations add up to: how much is affected if they share one cause.
public struct ImpactAssessment: Sendable, Hashable, Codable {
    public var relatedIssues: Int
    public var events: Int
    /// The sum of the issues' users: an upper bound.
    public var users: Int
    public var projects: Int
    public var highestSeverity: IssueSeverity
    public var revenueBlocking: Bool
    public var summary: String

    enum CodingKeys: String, CodingKey {
        case relatedIssues = "related_issues", events, users, projects, highestSeverity = "highest_severity", revenueBlocking = "revenue_blocking", summary
    }

    /// `issues` are the issue itself and the related ones (or, with `includesTarget` false, a
    /// monitor's related issues only): (events, users, project, severity, impact).
    public static func of(_ issues: [(events: Int, users: Int, projectID: ProjectID, severity: IssueSeverity?, impact: BusinessImpact?)],
                          monitorsDown: [String], includesTarget: Bool = true) -> ImpactAssessment {
        let events = issues.reduce(0) { $0 + $1.events }
        let users = issues.reduce(0) { $0 + $1.users }
        let projects = Set(issues.map(\.projectID)).count
        let severity = issues.compactMap(\.severity).max() ?? .info
        let revenue = issues.contains { $0.impact == .revenueBlocking }
        var summary = "\(issues.count) issue\(issues.count == 1 ? "" : "s") in \(projects) project\(projects == 1 ? "" : "s"): \(events) events, up to \(users) users, at worst \(severity.rawValue)"
        if revenue { summary += "; revenue is blocked" }
        if !monitorsDown.isEmpty { summary += "; likely caused by \(monitorsDown.joined(separator: ", ")) going down" }
        return ImpactAssessment(relatedIssues: includesTarget ? max(0, issues.count - 1) : issues.count, events: events, users: users, projects: projects, highestSeverity: severity,
                                revenueBlocking: revenue, summary: summary)
    }
}
