public import Foundation
public import TelltaleCore

/// What an issue or a monitor is related to, and what that adds up to.
public struct Correlated: Sendable {
    public struct RelatedIssue: Sendable {
        public var issue: CorrelationData.Other
        public var confidence: Double
        public var evidence: [Correlation.Evidence]
    }

    public struct RelatedMonitor: Sendable {
        public var monitorID: MonitorID
        public var name: String
        public var downAt: Date
        public var confidence: Double
        public var evidence: [Correlation.Evidence]
    }

    public var issues: [RelatedIssue]
    public var monitors: [RelatedMonitor]
    public var impact: ImpactAssessment
}

/// Correlates issues with issues and monitors from counts and indexes: the last seven days of
/// five-minute buckets, shared users and traces, components, and monitors' downtimes.
public struct CorrelationService: Sendable {
    public let repositories: Repositories
    public static let window: TimeInterval = 7 * 86_400
    /// Below this combined confidence a relation is not reported.
    public static let minimumConfidence = 0.3

    public init(repositories: Repositories) {
        self.repositories = repositories
    }

    public func correlate(issue: Issue, organizationID: OrganizationID, now: Date, limit: Int = 20) async throws -> Correlated {
        let since = now.addingTimeInterval(-Self.window)
        let data = try await repositories.analysis.correlationData(issue: issue, organizationID: organizationID, since: since)
        let module = PatternFinder.component(issue.culprit)
        var related: [Correlated.RelatedIssue] = []
        for (id, other) in data.issues {
            var evidence: [Correlation.Evidence] = []
            if let together = data.together[id], let active = data.activeBuckets[id],
               let temporal = Correlation.temporal(together: together, target: data.targetBuckets, other: active, buckets: data.buckets) {
                evidence.append(temporal)
            }
            if let shared = data.sharedUsers[id],
               let users = Correlation.shared(.user, shared: shared, target: Int(issue.userCount), other: max(other.users, shared), noun: "user") {
                evidence.append(users)
            }
            if let shared = data.sharedTraces[id], let traces = Correlation.shared(.trace, shared: shared, target: data.targetTraces, other: data.targetTraces, noun: "trace") {
                evidence.append(traces)
            }
            if data.sameComponent.contains(id),
               let component = Correlation.component(sameModule: module != nil && PatternFinder.component(other.culprit) == module,
                                                     sameTransaction: other.culprit == issue.culprit, name: module ?? issue.culprit) {
                evidence.append(component)
            }
            let confidence = Correlation.combined(evidence)
            if confidence >= Self.minimumConfidence {
                related.append(.init(issue: other, confidence: confidence, evidence: evidence.sorted { $0.confidence > $1.confidence }))
            }
        }
        related.sort { ($0.confidence, -$0.issue.issueID) > ($1.confidence, -$1.issue.issueID) }
        related = Array(related.prefix(limit))
        let monitors = try await dependencies(of: issue, organizationID: organizationID, since: since, now: now)
        let target = CorrelationData.Other(issueID: issue.id, projectID: issue.projectID, title: issue.title, culprit: issue.culprit, events: Int(issue.timesSeen),
                                           users: Int(issue.userCount), firstSeen: issue.firstSeen, severity: issue.classification?.severity,
                                           impact: issue.classification?.impact)
        let impact = ImpactAssessment.of(([target] + related.map(\.issue)).map { ($0.events, $0.users, $0.projectID, $0.severity, $0.impact) },
                                         monitorsDown: monitors.map(\.name))
        return Correlated(issues: related, monitors: monitors, impact: impact)
    }

    /// Monitors whose going down the issue's errors followed.
    func dependencies(of issue: Issue, organizationID: OrganizationID, since: Date, now: Date) async throws -> [Correlated.RelatedMonitor] {
        let monitors = try await repositories.monitors.monitors(organizationID: organizationID)
        guard !monitors.isEmpty else { return [] }
        let names = Dictionary(uniqueKeysWithValues: monitors.map { ($0.id, $0.name) })
        let downtimes = try await repositories.monitors.downtimes(monitorIDs: monitors.map(\.id), overlapping: TimeRange(start: since, end: now))
        var best: [MonitorID: Correlated.RelatedMonitor] = [:]
        for downtime in downtimes.sorted(by: { $0.start > $1.start }).prefix(50) {
            guard let counts = try await repositories.analysis.countsAround(projectIDs: [issue.projectID], issueID: issue.id, at: downtime.start, minimum: 2).first,
                  let evidence = Correlation.dependency(monitorName: names[downtime.monitorID] ?? "a monitor", downAt: downtime.start, before: counts.before,
                                                        after: counts.after, firstSeen: issue.firstSeen) else { continue }
            if evidence.confidence > best[downtime.monitorID]?.confidence ?? 0 {
                best[downtime.monitorID] = .init(monitorID: downtime.monitorID, name: names[downtime.monitorID] ?? "", downAt: downtime.start,
                                                 confidence: evidence.confidence, evidence: [evidence])
            }
        }
        return best.values.filter { $0.confidence >= Self.minimumConfidence }.sorted { $0.confidence > $1.confidence }
    }

    /// The issues that followed a monitor going down (its latest downtimes in the window), best first.
    public func correlate(monitor: Monitor, organizationID: OrganizationID, now: Date, limit: Int = 50) async throws -> Correlated {
        let since = now.addingTimeInterval(-Self.window)
        let projects = try await repositories.projects.projects(organizationID: organizationID).map(\.id)
        let downtimes = try await repositories.monitors.downtimes(monitorIDs: [monitor.id], overlapping: TimeRange(start: since, end: now))
        var best: [Int64: Correlated.RelatedIssue] = [:]
        for downtime in downtimes.sorted(by: { $0.start > $1.start }).prefix(5) {
            for counts in try await repositories.analysis.countsAround(projectIDs: projects, issueID: nil, at: downtime.start, minimum: 2) {
                guard let evidence = Correlation.dependency(monitorName: monitor.name, downAt: downtime.start, before: counts.before, after: counts.after,
                                                            firstSeen: counts.issue.firstSeen),
                      evidence.confidence >= Self.minimumConfidence, evidence.confidence > best[counts.issue.issueID]?.confidence ?? 0 else { continue }
                best[counts.issue.issueID] = .init(issue: counts.issue, confidence: evidence.confidence, evidence: [evidence])
            }
        }
        let related = Array(best.values.sorted { ($0.confidence, $0.issue.events) > ($1.confidence, $1.issue.events) }.prefix(limit))
        let impact = ImpactAssessment.of(related.map { ($0.issue.events, $0.issue.users, $0.issue.projectID, $0.issue.severity, $0.issue.impact) },
                                         monitorsDown: related.isEmpty ? [] : [monitor.name], includesTarget: false)
        return Correlated(issues: related, monitors: [], impact: impact)
    }
}
