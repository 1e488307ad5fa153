public import Foundation
public import TelltaleCore

/// One pass of the background detectors over the counts (never over raw events): spikes in
/// projects' and issues' error rates, severity escalation by the organizations' counting rules,
/// and, when asked, recurring patterns. Idempotent: a pass run twice finds the same spikes and
/// patterns, so a second node running it changes nothing.
public struct DetectorPass: Sendable {
    public struct Report: Sendable, Hashable {
        public var seriesJudged = 0
        public var spikesOpened = 0
        public var spikesExtended = 0
        public var escalated = 0
        public var patterns = 0
    }

    public let repositories: Repositories
    public let settings: SpikeDetector.Settings
    /// How far back patterns look.
    public static let patternWindow: TimeInterval = 30 * 86_400
    public static let patternIssues = 20_000
    /// How long spikes (issue spikes also go with their issue) and detections are kept.
    public static let spikeRetention: TimeInterval = 90 * 86_400
    public static let detectionRetention: TimeInterval = 7 * 86_400

    public init(repositories: Repositories, settings: SpikeDetector.Settings = SpikeDetector.Settings()) {
        self.repositories = repositories
        self.settings = settings
    }

    public func run(now: Date, patterns: Bool) async throws -> Report {
        var report = Report()
        try await detectSpikes(now: now, report: &report)
        for organization in try await repositories.organizations.all() {
            report.escalated += try await escalate(organization.id, now: now)
            if patterns { report.patterns += try await findPatterns(organization.id, now: now) }
        }
        if patterns {
            _ = try await repositories.analysis.forget(spikesBefore: now.addingTimeInterval(-Self.spikeRetention),
                                                       detectionsBefore: now.addingTimeInterval(-Self.detectionRetention))
        }
        return report
    }

    /// Judges the current and the previous bucket of every series busy enough to spike.
    func detectSpikes(now: Date, report: inout Report) async throws {
        let bucket = SpikeDetector.bucketMilliseconds
        let current = Int64((now.timeIntervalSince1970 * 1000).rounded(.down)) / bucket * bucket
        let candidates = try await repositories.analysis.spikeCandidates(since: Self.date(current - bucket), minimum: settings.minimumCount)
        guard !candidates.isEmpty else { return }
        let counts = try await repositories.analysis.detectorCounts(
            candidates, hourlyFrom: now.addingTimeInterval(-Double(settings.lookbackDays + 1) * 86_400), bucketsFrom: Self.date(current - 15 * bucket))
        var open: [SpikeSeries: Spike] = [:]
        for spike in try await repositories.analysis.recentSpikes(since: Self.date(current - 3 * bucket)).sorted(by: { $0.lastAt < $1.lastAt }) {
            open[SpikeSeries(projectID: spike.projectID, issueID: spike.issueID)] = spike
        }
        for series in candidates {
            guard let seriesCounts = counts[series] else { continue }
            report.seriesJudged += 1
            for start in [current - bucket, current] {
                let assessment = SpikeDetector.assess(seriesCounts, bucket: start, settings: settings)
                guard assessment.isSpike else { continue }
                let at = Self.date(start)
                if let spike = open[series], spike.continues(at: at) {
                    // Saved even when unchanged: the bucket filled, so the spike's events grew.
                    let extended = spike.extended(with: assessment)
                    open[series] = try await repositories.analysis.saveSpike(extended)
                    if extended.lastAt > spike.lastAt { report.spikesExtended += 1 }
                } else {
                    open[series] = try await repositories.analysis.saveSpike(Spike(
                        id: 0, projectID: series.projectID, scope: series.scope, issueID: series.issueID, startedAt: at, lastAt: at,
                        peak: assessment.observed, expected: assessment.expected, score: assessment.score, events: assessment.observed, detectedAt: now))
                    report.spikesOpened += 1
                }
            }
        }
    }

    /// Applies the organization's counting rules (`frequency`, `users`) to its busy issues.
    func escalate(_ organizationID: OrganizationID, now: Date) async throws -> Int {
        let rules = try await repositories.classification.rules(organizationID: organizationID).filter { $0.draft.enabled }
        let counting = rules.filter { $0.draft.conditions.contains(where: \.counts) }
        guard !counting.isEmpty else { return 0 }
        var windows: [Int: Int] = [:]
        var minimumUsers: Int?
        for condition in counting.flatMap(\.draft.conditions) {
            switch condition {
            case .frequency(let count, let minutes): windows[minutes] = min(windows[minutes] ?? count, count)
            case .users(let count): minimumUsers = min(minimumUsers ?? count, count)
            default: break
            }
        }
        var counts: [Int: [Int64: Int]] = [:]
        var candidates: Set<Int64> = []
        for (minutes, minimum) in windows {
            counts[minutes] = try await repositories.analysis.recentCounts(organizationID: organizationID, minutes: minutes, minimum: minimum, now: now)
            candidates.formUnion(counts[minutes]!.keys)
        }
        if let minimumUsers {
            candidates.formUnion(try await repositories.analysis.issuesWithUsers(organizationID: organizationID, minimum: minimumUsers, now: now))
        }
        guard !candidates.isEmpty else { return 0 }
        let calendars = Dictionary(uniqueKeysWithValues: try await repositories.alerts.calendars(organizationID: organizationID).map { ($0.id, $0) })
        var escalated = 0
        for state in try await repositories.analysis.classificationStates(issueIDs: candidates.sorted()) {
            var input = state.input
            input.at = now
            input.recentEvents = windows.keys.reduce(into: [:]) { $0[$1] = counts[$1]?[state.issueID] ?? 0 }
            let current = state.current ?? Classifier.classify(state.input, rules: rules, calendars: calendars)
            guard let raised = Classifier.escalation(current, input: input, rules: rules, calendars: calendars) else { continue }
            try await repositories.classification.setClassification(issueID: state.issueID, raised, by: nil, now: now)
            escalated += 1
        }
        return escalated
    }

    func findPatterns(_ organizationID: OrganizationID, now: Date) async throws -> Int {
        let inputs = try await repositories.analysis.patternInputs(organizationID: organizationID, since: now.addingTimeInterval(-Self.patternWindow),
                                                                   limit: Self.patternIssues)
        let found = PatternFinder.find(inputs)
        try await repositories.analysis.savePatterns(organizationID: organizationID, found, now: now, forgetBefore: now.addingTimeInterval(-86_400))
        return found.count
    }

    static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }
}
