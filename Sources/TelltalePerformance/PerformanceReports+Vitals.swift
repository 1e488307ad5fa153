public import Foundation
public import TelltaleCore

extension PerformanceReports {
    /// The web vitals of a project (or one page): p75 and shares per vital, the performance
    /// score, per segment (`device`, `browser`, `connection`, `country`, `release`), per page and over time.
    public struct WebVitalsReport: Sendable, Codable {
        public struct Group: Sendable, Codable {
            public var value: String
            public var score: Double?
            public var count: Int64
            public var vitals: [VitalRow]
        }

        public struct Point: Sendable, Codable {
            public var time: Date
            public var p75: [String: Double]
        }

        public var score: Double?
        public var vitals: [VitalRow]
        public var segment: String?
        public var segments: [Group]
        public var pages: [Group]
        public var series: [Point]
        public var resolutionSeconds: Int64

        enum CodingKeys: String, CodingKey {
            case score, vitals, segment, segments, pages, series
            case resolutionSeconds = "resolution_seconds"
        }
    }

    public static let segmentDimensions = ["device", "browser", "connection", "country", "release"]

    public func webVitals(_ project: Project, _ window: PerformanceWindow, segment: String?, page: String? = nil) async throws -> WebVitalsReport {
        if let segment, !Self.segmentDimensions.contains(segment) {
            throw ValidationError(field: "segment", reason: "must be one of \(Self.segmentDimensions.joined(separator: ", "))")
        }
        // One read of the unsegmented rows gives the overall figures, the pages and the trend.
        // Past two days the report counts whole days (UTC) from daily rows: a vital has a row
        // per page, vital and segment, so hourly rows at a week's edges would be most of the read.
        let days = window.toMilliseconds - window.fromMilliseconds > RollupPlan.hourlyUpTo
        let resolution = days ? PerformanceTally.day : PerformanceTally.hour
        let rows = try await performance.stats(window.query(project.id, .vital, name: page, resolution: resolution, groupBy: [.detail, .name], wholeDays: days))
        var overall: [PerformanceKey: DurationStats] = [:], byPage: [PerformanceKey: DurationStats] = [:]
        var byBucket: [Int64: [String: DurationStats]] = [:]
        for (key, stats) in rows {
            overall[key.grouped(by: [.detail], resolution: nil), default: DurationStats()].merge(stats)
            byPage[key.grouped(by: [.detail, .name], resolution: nil), default: DurationStats()].merge(stats)
            byBucket[key.bucket, default: [:]][key.detail, default: DurationStats()].merge(stats)
        }
        let vitals = Self.vitalRows(overall)
        var segments: [WebVitalsReport.Group] = []
        if let segment {
            let rows = segment == "release"
                ? try await performance.stats(window.query(project.id, .vital, name: page, groupBy: [.detail, .release], wholeDays: days))
                : try await performance.stats(window.query(project.id, .vital, name: page, segment: segment, groupBy: [.detail, .segment], wholeDays: days))
            segments = Self.groups(rows) { key in
                segment == "release" ? key.release : String(key.segment.dropFirst(segment.count + 1))
            }
        }
        let pages = page == nil ? Self.groups(byPage) { $0.name } : []
        let series = RollupPlan.buckets(from: window.fromMilliseconds, to: window.toMilliseconds, resolution: resolution).map { bucket in
            WebVitalsReport.Point(time: Date(timeIntervalSince1970: Double(bucket) / 1000),
                                  p75: (byBucket[bucket] ?? [:]).compactMapValues { $0.sketch.quantile(0.75) })
        }
        return WebVitalsReport(score: Self.score(vitals), vitals: vitals, segment: segment, segments: segments, pages: pages,
                               series: series, resolutionSeconds: resolution / 1000)
    }

    static func vitalRows(_ stats: [PerformanceKey: DurationStats]) -> [VitalRow] {
        WebVital.allCases.compactMap { vital in
            stats.first { $0.key.detail == vital.rawValue }.map { VitalRow(vital: vital, stats: $0.value) }
        }
    }

    static func score(_ rows: [VitalRow]) -> Double? {
        var p75: [WebVital: Double] = [:]
        for row in rows { if let vital = WebVital(rawValue: row.vital), let value = row.p75 { p75[vital] = value } }
        return WebVital.performanceScore(p75: p75)
    }

    static func groups(_ stats: [PerformanceKey: DurationStats], value: (PerformanceKey) -> String) -> [WebVitalsReport.Group] {
        var grouped: [String: [PerformanceKey: DurationStats]] = [:]
        for (key, stat) in stats { grouped[value(key), default: [:]][key] = stat }
        return grouped.map { name, rows in
            let vitals = vitalRows(rows)
            return WebVitalsReport.Group(value: name, score: score(vitals), count: vitals.map(\.count).max() ?? 0, vitals: vitals)
        }.sorted { ($0.count, $0.value) > ($1.count, $1.value) }
    }
}
