/// Time ranges of stored events by receive time (milliseconds since 1970), for a database
/// that partitions events by week: which weeks to create ahead and which are past every
/// project's retention, so a week can be dropped whole instead of row by row.
public struct EventWeek: Sendable, Hashable, Comparable {
    public static let milliseconds: Int64 = 7 * 86_400_000
    /// 1970-01-05, the first Monday: weeks run Monday 00:00 UTC to Monday 00:00 UTC.
    static let firstMonday: Int64 = 4 * 86_400_000

    /// Inclusive start.
    public let start: Int64
    public var end: Int64 { start + Self.milliseconds }

    /// The week that holds `milliseconds`.
    public init(containing milliseconds: Int64) {
        let offset = milliseconds - Self.firstMonday
        let index = offset >= 0 ? offset / Self.milliseconds : (offset - Self.milliseconds + 1) / Self.milliseconds
        start = Self.firstMonday + index * Self.milliseconds
    }

    public func adding(_ weeks: Int) -> EventWeek { EventWeek(containing: start + Int64(weeks) * Self.milliseconds) }

    /// `events_w20261130`: the table's name, from the Monday it starts on.
    public var tableName: String {
        let (year, month, day) = Self.civilDate(daysSince1970: start / 86_400_000)
        return "events_w" + padded(year, 4) + padded(month, 2) + padded(day, 2)
    }

    public static func < (a: EventWeek, b: EventWeek) -> Bool { a.start < b.start }

    /// Proleptic Gregorian date from a day count (H. Hinnant's algorithm): no calendar
    /// object, so the name never depends on the host's locale or time zone.
    static func civilDate(daysSince1970 days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

/// One stored range of events: a week, the range events held before partitioning, or the
/// catch-all for receive times no range covers.
public struct EventRange: Sendable, Hashable {
    public var table: String
    /// `nil` for no lower bound.
    public var start: Int64?
    /// `nil` for no upper bound; the catch-all has neither.
    public var end: Int64?

    public init(table: String, start: Int64?, end: Int64?) {
        self.table = table
        self.start = start
        self.end = end
    }

    public var isCatchAll: Bool { start == nil && end == nil }

    func overlaps(_ week: EventWeek) -> Bool {
        !isCatchAll && (start ?? .min) < week.end && week.start < (end ?? .max)
    }
}

/// The rules for partitioned events.
public enum EventWeekPlan {
    /// Weeks ahead of the current one that exist at any time, so an event never waits for a
    /// table and the catch-all stays empty while the retention job runs at least weekly.
    public static let weeksAhead = 3

    /// Weeks from the one holding `now` to `weeksAhead` after it that no stored range covers.
    public static func weeksToCreate(now: Int64, existing: [EventRange]) -> [EventWeek] {
        let current = EventWeek(containing: now)
        return (0...weeksAhead).map { current.adding($0) }.filter { week in !existing.contains { $0.overlaps(week) } }
    }

    /// Whether `range` can be dropped whole: it ended before `now`, and every project with
    /// events in it keeps nothing that old (`cutoffs` per project id; a project missing
    /// from it is gone, and its events with it). The catch-all is never dropped.
    public static func canDrop(_ range: EventRange, now: Int64, projectsWithEvents: Set<Int64>, cutoffs: [Int64: Int64]) -> Bool {
        guard let end = range.end, end <= now else { return false }
        return projectsWithEvents.allSatisfy { project in cutoffs[project].map { $0 >= end } ?? true }
    }
}

/// `value` in decimal, zero-padded to `width` digits.
func padded(_ value: Int64, _ width: Int) -> String {
    let digits = "\(value)"
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}
