import Foundation

/// Where one user stands in one funnel: the attempt that started at `startedAt` (ms), the
/// last step reached (0-based) and when, and the segment values of the event that entered.
public struct FunnelProgress: Sendable, Hashable, Codable {
    public var startedAt: Int64
    public var reached: Int
    public var lastAt: Int64
    public var segments: [String: String]

    public init(startedAt: Int64, reached: Int, lastAt: Int64, segments: [String: String]) {
        self.startedAt = startedAt
        self.reached = reached
        self.lastAt = lastAt
        self.segments = segments
    }
}

/// A step reached, as the daily figures count it: by the UTC day the attempt started (so a
/// day's conversion only ever rises), with the attempt's segment values and the seconds
/// since the step before (none for the first step).
public struct FunnelTally: Sendable, Hashable {
    public var day: Int64
    public var step: Int
    public var segments: [String: String]
    public var secondsFromPrevious: Double?

    public init(day: Int64, step: Int, segments: [String: String], secondsFromPrevious: Double?) {
        self.day = day
        self.step = step
        self.segments = segments
        self.secondsFromPrevious = secondsFromPrevious
    }
}

/// Moves users through a funnel as their events arrive. An event advances an attempt by one
/// step when it is the next step, no older than the last one, and within the conversion
/// window of the start; an event of the first step starts an attempt when the user has none
/// or theirs has expired (the first touch wins while it runs).
public enum FunnelTracker {
    /// A segment without the property on the entering event.
    public static let noValue = "(none)"

    /// The new progress and what to count, or nil when the event changes nothing.
    public static func advance(_ funnel: FunnelDraft, progress: FunnelProgress?, name: String, properties: [String: String],
                               timestamp: Int64) -> (FunnelProgress, FunnelTally)? {
        let window = Int64(funnel.conversionWindowSeconds) * 1000
        if let current = progress, timestamp <= current.startedAt + window {
            let next = current.reached + 1
            guard next < funnel.steps.count, timestamp >= current.lastAt, funnel.steps[next].matches(name: name, properties: properties) else { return nil }
            var moved = current
            moved.reached = next
            moved.lastAt = timestamp
            return (moved, FunnelTally(day: day(current.startedAt), step: next, segments: current.segments,
                                       secondsFromPrevious: Double(timestamp - current.lastAt) / 1000))
        }
        guard funnel.steps[0].matches(name: name, properties: properties) else { return nil }
        var segments: [String: String] = [:]
        for key in funnel.segments { segments[key] = properties[key].map { String($0.prefix(100)) } ?? noValue }
        let started = FunnelProgress(startedAt: timestamp, reached: 0, lastAt: timestamp, segments: segments)
        return (started, FunnelTally(day: day(timestamp), step: 0, segments: segments, secondsFromPrevious: nil))
    }

    static func day(_ milliseconds: Int64) -> Int64 { milliseconds / 86_400_000 * 86_400_000 }
}

/// One step's figures over a window.
public struct FunnelStepFigures: Sendable, Hashable, Codable {
    public var index: Int
    public var event: String
    public var label: String
    /// Attempts (users) that reached the step.
    public var users: Int64
    /// Share of the previous step's users, and of the first step's (0…1; nil without users before).
    public var conversionFromPrevious: Double?
    public var conversionFromStart: Double?
    /// Users of the previous step who did not reach this one.
    public var dropOff: Int64
    /// Median seconds from the previous step (within 1 %).
    public var medianSecondsFromPrevious: Double?

    enum CodingKeys: String, CodingKey {
        case index, event, label, users
        case conversionFromPrevious = "conversion_from_previous", conversionFromStart = "conversion_from_start"
        case dropOff = "drop_off", medianSecondsFromPrevious = "median_seconds_from_previous"
    }

    /// Each step's figures from the users reaching it and the times it took them.
    public static func steps(_ funnel: FunnelDraft, users: [Int: Int64], times: [Int: DDSketch]) -> [FunnelStepFigures] {
        let first = users[0] ?? 0
        return funnel.steps.enumerated().map { index, step in
            let reached = users[index] ?? 0
            let before = index == 0 ? reached : users[index - 1] ?? 0
            return FunnelStepFigures(
                index: index, event: step.event, label: step.title, users: reached,
                conversionFromPrevious: index == 0 ? (reached > 0 ? 1 : nil) : (before > 0 ? Double(reached) / Double(before) : nil),
                conversionFromStart: first > 0 ? Double(reached) / Double(first) : nil,
                dropOff: index == 0 ? 0 : max(0, before - reached),
                medianSecondsFromPrevious: index == 0 ? nil : times[index]?.quantile(0.5))
        }
    }
}
