public import Foundation

/// Which statistics rows to read and how to merge them.
public struct PerformanceQuery: Sendable {
    public var projectID: Int64
    public var kind: PerformanceKind
    /// Milliseconds since 1970, `[from, to)`.
    public var from: Int64
    public var to: Int64
    public var name: String?
    public var detail: String?
    /// `""` for rows without a segment, `device` for `device:*` rows, nil for any.
    public var segmentDimension: String?
    public var environment: String?
    public var release: String?
    /// Points of this width (ms) for a chart; nil merges the whole window.
    public var resolution: Int64?
    /// Which key fields stay apart; the others are merged.
    public var groupBy: Set<PerformanceField>
    /// Read daily rows only, from the start of `from`'s day (UTC) to `to`: the current day's row
    /// holds what is rolled up so far. Coarser at the start, far fewer rows for wide reads.
    public var wholeDays = false

    public init(projectID: Int64, kind: PerformanceKind, from: Int64, to: Int64, name: String? = nil, detail: String? = nil,
                segmentDimension: String? = "", environment: String? = nil, release: String? = nil, resolution: Int64? = nil,
                groupBy: Set<PerformanceField> = [.name]) {
        self.projectID = projectID
        self.kind = kind
        self.from = from
        self.to = to
        self.name = name
        self.detail = detail
        self.segmentDimension = segmentDimension
        self.environment = environment
        self.release = release
        self.resolution = resolution
        self.groupBy = groupBy
    }
}

public enum PerformanceField: Sendable, Hashable {
    case name, detail, segment, environment, release
}

extension PerformanceKey {
    /// The key with the fields not grouped by blanked and the bucket at `resolution` (0 without).
    public func grouped(by fields: Set<PerformanceField>, resolution: Int64?) -> PerformanceKey {
        PerformanceKey(
            projectID: projectID, kind: kind, name: fields.contains(.name) ? name : "", detail: fields.contains(.detail) ? detail : "",
            segment: fields.contains(.segment) ? segment : "", environment: fields.contains(.environment) ? environment : "",
            release: fields.contains(.release) ? release : "", bucket: resolution.map { bucket / $0 * $0 } ?? 0
        )
    }
}

/// A stored transaction, for the slowest-samples list and the waterfall.
public struct TransactionSample: Sendable, Codable, Equatable {
    public var eventID: String
    public var name: String
    public var traceID: String?
    public var status: String?
    public var durationMilliseconds: Double
    public var timestamp: Date
    public var release: String?
    public var environment: String?

    enum CodingKeys: String, CodingKey {
        case name, status, timestamp, release, environment
        case eventID = "event_id", traceID = "trace_id", durationMilliseconds = "duration_ms"
    }

    public init(eventID: String, name: String, traceID: String?, status: String?, durationMilliseconds: Double, timestamp: Date, release: String?, environment: String?) {
        self.eventID = eventID
        self.name = name
        self.traceID = traceID
        self.status = status
        self.durationMilliseconds = durationMilliseconds
        self.timestamp = timestamp
        self.release = release
        self.environment = environment
    }
}

/// A release as the releases list shows it.
public struct ReleaseSummary: Sendable, Equatable {
    public var version: String
    public var health: ReleaseHealth
    public var firstSeen: Date?
    public var lastSeen: Date?
    public var errors: Int64
    public var newIssues: Int64

    public init(version: String, health: ReleaseHealth, firstSeen: Date?, lastSeen: Date?, errors: Int64, newIssues: Int64) {
        self.version = version
        self.health = health
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.errors = errors
        self.newIssues = newIssues
    }
}

/// The performance statistics, samples and release health.
public protocol PerformanceRepository: Sendable {
    /// Merged rows of the window, by the query's grouping.
    func stats(_ query: PerformanceQuery) async throws -> [PerformanceKey: DurationStats]
    /// Stored transactions by event id (samples chosen from the statistics' examples).
    func samples(projectID: Int64, eventIDs: [String]) async throws -> [TransactionSample]
    /// One stored transaction's normalized payload.
    func transaction(projectID: Int64, eventID: String) async throws -> (sample: TransactionSample, payload: [UInt8])?
    /// Transactions of a trace that ended within ten minutes of `around` (an error event's link to its waterfall).
    func transactions(projectID: Int64, traceID: String, around: Date) async throws -> [TransactionSample]
    /// Folds minute rows older than `before` into hourly and daily rows; how many it read (call again while it returns `limit`).
    func rollUp(before: Date, limit: Int) async throws -> Int
    /// Writes already rolled-up rows (hourly or daily) as they are, replacing rows with the same
    /// key: bulk loads such as the benchmark's generator.
    func importRollups(granularity: Int64, _ stats: [PerformanceKey: DurationStats]) async throws
    /// Deletes rolled minute rows, users and rollups past their keeping.
    func forget(now: Date) async throws
    /// Stores metrics sent through the API.
    func record(_ tally: PerformanceTally) async throws
    /// Releases with session health, errors and new issues, most recently seen first.
    func releases(projectID: Int64, from: Date, to: Date) async throws -> [ReleaseSummary]
    /// Records a regression for alert rules (`regression_detected`), with the issue it opened.
    func recordRegression(projectID: Int64, issueID: Int64?, title: String, detail: String, at: Date) async throws
    /// Records a performance threshold of rule `ruleID` crossed in a project, for that rule.
    func recordThresholdCrossed(projectID: Int64, ruleID: AlertRuleID, title: String, detail: String, at: Date) async throws
    /// Projects that have sent transactions, for the regression detector.
    func projectsWithTransactions(since: Int64) async throws -> [Int64]
}
