public import Foundation

/// One series the spike detector judges: a project's events or one issue's.
public struct SpikeSeries: Sendable, Hashable {
    public var projectID: ProjectID
    /// Nil for the project's total.
    public var issueID: Int64?

    public init(projectID: ProjectID, issueID: Int64?) {
        self.projectID = projectID
        self.issueID = issueID
    }

    public var scope: Spike.Scope { issueID == nil ? .project : .issue }
}

/// A detected pattern as stored, with when detection first and last found it.
public struct StoredPattern: Sendable, Hashable {
    public var id: Int64
    public var organizationID: OrganizationID
    public var found: PatternFinder.Found
    public var firstDetected: Date
    public var lastDetected: Date

    public init(id: Int64, organizationID: OrganizationID, found: PatternFinder.Found, firstDetected: Date, lastDetected: Date) {
        self.id = id
        self.organizationID = organizationID
        self.found = found
        self.firstDetected = firstDetected
        self.lastDetected = lastDetected
    }
}

/// A stored root-cause analysis: who made it and when, and why a fallback was used.
public struct StoredAnalysis: Sendable, Hashable {
    public var issueID: Int64
    /// `offline`, or `llm`.
    public var provider: String
    public var model: String?
    public var analysis: RootCauseAnalysis
    public var note: String?
    public var createdAt: Date

    public init(issueID: Int64, provider: String, model: String?, analysis: RootCauseAnalysis, note: String?, createdAt: Date) {
        self.issueID = issueID
        self.provider = provider
        self.model = model
        self.analysis = analysis
        self.note = note
        self.createdAt = createdAt
    }
}

/// What an issue's correlation reads besides the issue itself: for one issue and the other
/// issues of its organization, from counts and indexes only.
public struct CorrelationData: Sendable {
    public struct Other: Sendable, Hashable {
        public var issueID: Int64
        public var projectID: ProjectID
        public var title: String
        public var culprit: String
        public var events: Int
        public var users: Int
        public var firstSeen: Date
        public var severity: IssueSeverity?
        public var impact: BusinessImpact?

        public init(issueID: Int64, projectID: ProjectID, title: String, culprit: String, events: Int, users: Int, firstSeen: Date,
                    severity: IssueSeverity?, impact: BusinessImpact?) {
            self.issueID = issueID
            self.projectID = projectID
            self.title = title
            self.culprit = culprit
            self.events = events
            self.users = users
            self.firstSeen = firstSeen
            self.severity = severity
            self.impact = impact
        }
    }

    /// The target's active five-minute buckets in the window.
    public var targetBuckets: Int
    /// Per other issue: its active buckets in the window, and how many of the target's active
    /// buckets have it active in the same or a neighbouring bucket.
    public var activeBuckets: [Int64: Int]
    public var together: [Int64: Int]
    /// Issues sharing users with the target, and how many.
    public var sharedUsers: [Int64: Int]
    /// Issues sharing traces with the target, and how many; and how many traces the target has.
    public var sharedTraces: [Int64: Int]
    public var targetTraces: Int
    /// The issues named anywhere above, and those sharing the target's component.
    public var issues: [Int64: Other]
    public var sameComponent: [Int64]
    public var buckets: Int

    public init(targetBuckets: Int, activeBuckets: [Int64: Int], together: [Int64: Int], sharedUsers: [Int64: Int], sharedTraces: [Int64: Int], targetTraces: Int,
                issues: [Int64: Other], sameComponent: [Int64], buckets: Int) {
        self.targetBuckets = targetBuckets
        self.activeBuckets = activeBuckets
        self.together = together
        self.sharedUsers = sharedUsers
        self.sharedTraces = sharedTraces
        self.targetTraces = targetTraces
        self.issues = issues
        self.sameComponent = sameComponent
        self.buckets = buckets
    }
}


/// What the analysis detectors read and write, from counts and indexes (never a scan of events).
public protocol AnalysisRepository: Sendable {
    /// Projects' totals and issues with at least `minimum` events in one bucket at or after `since`.
    func spikeCandidates(since: Date, minimum: Int) async throws -> [SpikeSeries]
    /// The series' hourly counts from `hourlyFrom` and bucket counts from `bucketsFrom`.
    func detectorCounts(_ series: [SpikeSeries], hourlyFrom: Date, bucketsFrom: Date) async throws -> [SpikeSeries: SpikeDetector.Counts]
    /// Spikes whose last bucket is at or after `since`.
    func recentSpikes(since: Date) async throws -> [Spike]
    /// Inserts a spike (id 0) or updates one; the events are counted from its buckets.
    func saveSpike(_ spike: Spike) async throws -> Spike
    /// Deletes spikes that ended before `spikesBefore` and detections older than `detectionsBefore`
    /// (alert rules read detections within seconds); how many rows went.
    func forget(spikesBefore: Date, detectionsBefore: Date) async throws -> Int
    /// The titles of these issues, in one read (a page listing spikes names their issues).
    func issueTitles(_ ids: [Int64]) async throws -> [Int64: String]
    /// Spikes of these projects (and of one issue, when given) ending at or after `since`, newest first.
    func spikes(projectIDs: [ProjectID], issueID: Int64?, since: Date, limit: Int) async throws -> [Spike]

    /// Issues of the organization with at least `minimum` events in the last `minutes`, and their counts.
    func recentCounts(organizationID: OrganizationID, minutes: Int, minimum: Int, now: Date) async throws -> [Int64: Int]
    /// Issues of the organization with at least `minimum` users seen in the last day.
    func issuesWithUsers(organizationID: OrganizationID, minimum: Int, now: Date) async throws -> [Int64]
    /// These issues' classification and what their latest event gives the classifier.
    func classificationStates(issueIDs: [Int64]) async throws -> [(issueID: Int64, current: Classification?, input: ClassificationInput)]

    /// The organization's issues seen since `since` (not merged away), for the pattern finder.
    func patternInputs(organizationID: OrganizationID, since: Date, limit: Int) async throws -> [PatternFinder.Input]
    /// Stores what one pass found (new patterns keep their first detection) and forgets the
    /// organization's patterns last detected before `forgetBefore`.
    func savePatterns(organizationID: OrganizationID, _ found: [PatternFinder.Found], now: Date, forgetBefore: Date) async throws
    func patterns(organizationID: OrganizationID, limit: Int) async throws -> [StoredPattern]

    /// What correlating `issue` reads, over the window from `since`.
    func correlationData(issue: Issue, organizationID: OrganizationID, since: Date) async throws -> CorrelationData
    /// Issues of these projects (or the one named) and their events in the 15 minutes after and
    /// the hour before `at`, with at least `minimum` events after it.
    func countsAround(projectIDs: [ProjectID], issueID: Int64?, at: Date, minimum: Int) async throws -> [(issue: CorrelationData.Other, before: Int, after: Int)]

    func analysis(issueID: Int64) async throws -> StoredAnalysis?
    func saveAnalysis(_ analysis: StoredAnalysis) async throws
}
