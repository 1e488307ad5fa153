public import Foundation
public import TelltaleCore

/// The window a performance view reads: `statsPeriod` (`1h`, `24h`, `7d`, `30d`) back from now,
/// with the environment and release filters.
public struct PerformanceWindow: Sendable, Equatable {
    public var period: String
    public var from: Date
    public var to: Date
    public var environment: String?
    public var release: String?

    public static let periods = ["1h", "6h", "24h", "7d", "14d", "30d"]

    /// Throws `ValidationError` for a period that is not like `24h` or `7d` (at most 90 days).
    public init(period: String?, environment: String? = nil, release: String? = nil, now: Date) throws(ValidationError) {
        let text = period.flatMap { $0.isEmpty ? nil : $0 } ?? "24h"
        guard let unit = text.last, let count = Double(text.dropLast()), count > 0 else {
            throw ValidationError(field: "statsPeriod", reason: "must be like 1h, 24h, 7d or 30d")
        }
        let seconds: Double
        switch unit {
        case "m": seconds = count * 60
        case "h": seconds = count * 3_600
        case "d": seconds = count * 86_400
        case "w": seconds = count * 604_800
        default: throw ValidationError(field: "statsPeriod", reason: "must be like 1h, 24h, 7d or 30d")
        }
        guard seconds >= 60, seconds <= 90 * 86_400 else { throw ValidationError(field: "statsPeriod", reason: "must be between 1m and 90d") }
        self.period = text
        self.to = now
        self.from = now.addingTimeInterval(-seconds)
        self.environment = environment.flatMap { $0.isEmpty ? nil : $0 }
        self.release = release.flatMap { $0.isEmpty ? nil : $0 }
    }

    public var fromMilliseconds: Int64 { Int64((from.timeIntervalSince1970 * 1000).rounded(.down)) }
    public var toMilliseconds: Int64 { Int64((to.timeIntervalSince1970 * 1000).rounded(.down)) + 1 }
    public var minutes: Double { max(1, to.timeIntervalSince(from) / 60) }

    /// An explicit window, Sentry's `start` and `end` (unix seconds or RFC 3339), instead of `statsPeriod`.
    public init(start: String, end: String, environment: String? = nil, release: String? = nil) throws(ValidationError) {
        func time(_ text: String, _ field: String) throws(ValidationError) -> Date {
            if let seconds = Double(text), seconds.isFinite, seconds > 0, seconds < 32_503_680_000 { return Date(timeIntervalSince1970: seconds) }
            if let seconds = Timestamps.parseRFC3339(text) { return Date(timeIntervalSince1970: seconds) }
            throw ValidationError(field: field, reason: "must be unix seconds or an RFC 3339 time")
        }
        from = try time(start, "start")
        to = try time(end, "end")
        guard from < to else { throw ValidationError(field: "start", reason: "must be before end") }
        guard to.timeIntervalSince(from) <= 90 * 86_400 else { throw ValidationError(field: "end", reason: "must be at most 90 days after start") }
        period = "custom"
        self.environment = environment.flatMap { $0.isEmpty ? nil : $0 }
        self.release = release.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A query of this window.
    public func query(_ project: ProjectID, _ kind: PerformanceKind, name: String? = nil, detail: String? = nil, segment: String? = "",
                      resolution: Int64? = nil, groupBy: Set<PerformanceField> = [.name], wholeDays: Bool = false) -> PerformanceQuery {
        var query = PerformanceQuery(projectID: project.rawValue, kind: kind, from: fromMilliseconds, to: toMilliseconds, name: name, detail: detail,
                                     segmentDimension: segment, environment: environment, release: release, resolution: resolution, groupBy: groupBy)
        query.wholeDays = wholeDays
        return query
    }
}
