public import Foundation

/// A half-open span of time `[start, end)`.
public struct TimeRange: Sendable, Hashable, Codable {
    public var start: Date
    public var end: Date

    public init(start: Date, end: Date) {
        self.start = start
        self.end = max(start, end)
    }

    public var duration: TimeInterval { end.timeIntervalSince(start) }

    /// The part of this range inside `other`, or `nil` if they do not overlap.
    public func clamped(to other: TimeRange) -> TimeRange? {
        let start = max(self.start, other.start)
        let end = min(self.end, other.end)
        return start < end ? TimeRange(start: start, end: end) : nil
    }

    /// Merges overlapping and touching ranges; the result is sorted and disjoint.
    public static func union(_ ranges: [TimeRange]) -> [TimeRange] {
        var merged: [TimeRange] = []
        for range in ranges.sorted(by: { $0.start < $1.start }) where range.duration > 0 {
            if let last = merged.last, range.start <= last.end {
                merged[merged.count - 1].end = max(last.end, range.end)
            } else {
                merged.append(range)
            }
        }
        return merged
    }

    /// `ranges` with every part covered by `holes` removed.
    public static func subtracting(_ holes: [TimeRange], from ranges: [TimeRange]) -> [TimeRange] {
        let cuts = union(holes)
        var result: [TimeRange] = []
        for range in union(ranges) {
            var cursor = range.start
            for cut in cuts where cut.end > cursor && cut.start < range.end {
                if cut.start > cursor { result.append(TimeRange(start: cursor, end: cut.start)) }
                cursor = max(cursor, cut.end)
            }
            if cursor < range.end { result.append(TimeRange(start: cursor, end: range.end)) }
        }
        return result
    }
}
