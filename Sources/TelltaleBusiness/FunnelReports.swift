public import Foundation
public import TelltaleCore
public import TelltalePerformance

/// `GET …/funnels/{id}/`: a funnel's steps over a window (attempts that started in it), and
/// with `segment` the same per value of that property, largest first.
public struct FunnelReport: Sendable, Encodable {
    public struct Segment: Sendable, Encodable {
        public var value: String
        public var entered: Int64
        public var converted: Int64
        public var conversion: Double?
        public var steps: [FunnelStepFigures]
    }

    public var id: String
    public var name: String
    public var period: String
    public var from: Date
    public var to: Date
    public var conversionWindowSeconds: Int
    public var entered: Int64
    public var converted: Int64
    /// Share of the attempts that reached the last step (0…1).
    public var conversion: Double?
    public var steps: [FunnelStepFigures]
    public var segment: String?
    public var segments: [Segment]
    /// The funnel's segment properties, for a picker.
    public var segmentNames: [String]
    public var definition: FunnelDraft

    enum CodingKeys: String, CodingKey {
        case id, name, period, from, to, entered, converted, conversion, steps, segment, segments
        case definition, conversionWindowSeconds = "conversion_window_seconds", segmentNames = "segment_names"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(period, forKey: .period)
        try c.encode(from, forKey: .from)
        try c.encode(to, forKey: .to)
        try c.encode(conversionWindowSeconds, forKey: .conversionWindowSeconds)
        try c.encode(entered, forKey: .entered)
        try c.encode(converted, forKey: .converted)
        try c.encode(conversion, forKey: .conversion)
        try c.encode(steps, forKey: .steps)
        try c.encode(segment, forKey: .segment)
        try c.encode(segments, forKey: .segments)
        try c.encode(segmentNames, forKey: .segmentNames)
        try c.encode(definition, forKey: .definition)
    }
}

public struct FunnelReports: Sendable {
    let repositories: Repositories
    /// Segment values shown one by one; the rest are summed as "(other)".
    static let shownValues = 20

    public init(repositories: Repositories) {
        self.repositories = repositories
    }

    /// Throws `ValidationError` for a segment the funnel does not keep.
    public func report(_ funnel: Funnel, window: PerformanceWindow, segment: String?) async throws -> FunnelReport {
        let draft = funnel.draft
        if let segment, !draft.segments.contains(segment) {
            throw ValidationError(field: "segment", reason: draft.segments.isEmpty
                ? "this funnel keeps no segments" : "must be one of \(draft.segments.joined(separator: ", "))")
        }
        let from = window.fromMilliseconds, to = window.toMilliseconds
        let everyone = try await repositories.business.funnelSteps(funnel.id, segment: nil, from: from, to: to)
        let overall = Self.figures(draft, everyone)
        var segments: [FunnelReport.Segment] = []
        if let segment {
            let rows = try await repositories.business.funnelSteps(funnel.id, segment: segment, from: from, to: to)
            var byValue = Dictionary(grouping: rows, by: \.value)
            let ranked = byValue.map { value, rows in (value, rows.filter { $0.step == 0 }.reduce(0) { $0 + $1.users }) }
                .sorted { ($0.1, $1.0) > ($1.1, $0.0) }
            if ranked.count > Self.shownValues {
                let rest = ranked.dropFirst(Self.shownValues - 1).flatMap { byValue.removeValue(forKey: $0.0) ?? [] }
                byValue["(other)"] = rest
            }
            segments = byValue.map { value, rows in
                let figures = Self.figures(draft, rows)
                return FunnelReport.Segment(value: value, entered: figures.entered, converted: figures.converted, conversion: figures.conversion, steps: figures.steps)
            }.sorted { ($0.entered, $1.value) > ($1.entered, $0.value) }
        }
        return FunnelReport(id: funnel.id.description, name: draft.name, period: window.period, from: window.from, to: window.to,
                            conversionWindowSeconds: draft.conversionWindowSeconds, entered: overall.entered, converted: overall.converted,
                            conversion: overall.conversion, steps: overall.steps, segment: segment, segments: segments, segmentNames: draft.segments,
                            definition: draft)
    }

    /// Days (and values) summed: users added, time sketches merged.
    static func figures(_ draft: FunnelDraft, _ rows: [FunnelStepCount]) -> (entered: Int64, converted: Int64, conversion: Double?, steps: [FunnelStepFigures]) {
        var users: [Int: Int64] = [:], times: [Int: DDSketch] = [:]
        for row in rows {
            users[row.step, default: 0] += row.users
            times[row.step, default: DDSketch()].merge(row.times)
        }
        let steps = FunnelStepFigures.steps(draft, users: users, times: times)
        let entered = users[0] ?? 0, converted = users[draft.steps.count - 1] ?? 0
        return (entered, converted, entered > 0 ? Double(converted) / Double(entered) : nil, steps)
    }
}
