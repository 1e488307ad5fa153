public import Foundation

/// Error activity of some projects over a time range: what an overview chart and the
/// organization stats API show.
public struct ErrorStats: Sendable, Equatable {
    /// Events received per bucket, by level (`error`, `warning`…).
    public var eventsByLevel: [String: CountSeries]
    /// Events received per bucket, by business category (events without one are left out).
    public var eventsByCategory: [String: CountSeries]
    /// Issues first seen per bucket.
    public var newIssues: CountSeries
    /// Issues resolved in the range and their mean time from first seen to resolution.
    public var resolvedIssues: Int64
    public var meanTimeToResolve: TimeInterval?

    public init(eventsByLevel: [String: CountSeries], eventsByCategory: [String: CountSeries] = [:], newIssues: CountSeries, resolvedIssues: Int64, meanTimeToResolve: TimeInterval?) {
        self.eventsByLevel = eventsByLevel
        self.eventsByCategory = eventsByCategory
        self.newIssues = newIssues
        self.resolvedIssues = resolvedIssues
        self.meanTimeToResolve = meanTimeToResolve
    }
}

/// Counts over time.
public protocol StatsRepository: Sendable {
    /// Counts per bucket; `byCategory: false` skips the category counts (one scan fewer).
    func errorStats(projectIDs: [ProjectID], since: Date, until: Date, bucketSeconds: Int64, byCategory: Bool) async throws -> ErrorStats
    /// Events received per project between two times.
    func eventTotals(projectIDs: [ProjectID], since: Date, until: Date) async throws -> [ProjectID: Int64]
}

extension StatsRepository {
    public func errorStats(projectIDs: [ProjectID], since: Date, until: Date, bucketSeconds: Int64) async throws -> ErrorStats {
        try await errorStats(projectIDs: projectIDs, since: since, until: until, bucketSeconds: bucketSeconds, byCategory: true)
    }
}

extension CountSeries {
    /// A series with every bucket from `start` (inclusive, bucket-aligned) to `end`, zero where `counts` has none.
    public static func filled(start: Int64, end: Int64, bucket: Int64, counts: [Int64: Int64]) -> CountSeries {
        var points: [(start: Int64, count: Int64)] = []
        var b = start / bucket
        while b * bucket < end {
            points.append((start: b * bucket, count: counts[b] ?? 0))
            b += 1
        }
        return CountSeries(points: points)
    }
}
