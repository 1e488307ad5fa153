public import Foundation

/// A 5-field crontab (`minute hour day-of-month month day-of-week`) evaluated in a time zone.
/// Fire times are wall-clock times in that zone: across a DST change a time skipped by the
/// clock runs at the first instant after the gap, and a time the clock repeats runs once.
public struct CronSchedule: Sendable, Hashable, CustomStringConvertible {
    /// The expression as written (after macro expansion).
    public let expression: String
    let minutes: [Int]
    let hours: [Int]
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    let daysOfWeek: Set<Int>
    /// Vixie cron: when both day fields are restricted, a day matching either fires.
    let dayFieldsCombineWithOr: Bool

    static let macros = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
        "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]
    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    /// Parses `text`; throws a ``ValidationError`` on `field` naming what is wrong.
    public init(_ text: String, field: String = "schedule") throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let expanded = Self.macros[trimmed] ?? trimmed
        let parts = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard parts.count == 5 else {
            throw ValidationError(field: field, reason: "must have 5 fields (minute hour day-of-month month day-of-week), got \(parts.count)")
        }
        func parse(_ index: Int, _ name: String, _ range: ClosedRange<Int>, names: [String] = [], offset: Int = 0) throws -> Set<Int> {
            do {
                return try Self.parseField(parts[index], range: range, names: names, nameOffset: offset)
            } catch let reason as FieldError {
                throw ValidationError(field: field, reason: "has an invalid \(name) field '\(parts[index])': \(reason.message)")
            }
        }
        expression = expanded
        minutes = try parse(0, "minute", 0...59).sorted()
        hours = try parse(1, "hour", 0...23).sorted()
        daysOfMonth = try parse(2, "day-of-month", 1...31)
        months = try parse(3, "month", 1...12, names: Self.monthNames, offset: 1)
        // 7 is Sunday too.
        daysOfWeek = Set(try parse(4, "day-of-week", 0...7, names: Self.dayNames).map { $0 % 7 })
        dayFieldsCombineWithOr = !parts[2].hasPrefix("*") && !parts[4].hasPrefix("*")
    }

    public var description: String { expression }

    /// The first fire time strictly after `date`, or `nil` if none within eight years
    /// (as for `0 0 30 2 *`, which never fires).
    public func next(after date: Date, in timeZone: TimeZone) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let start = calendar.dateComponents([.year, .month, .day], from: date)
        guard var day = calendar.date(from: DateComponents(year: start.year, month: start.month, day: start.day, hour: 12)) else { return nil }
        for _ in 0..<(366 * 8) {
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: day)
            if let month = parts.month, let dayOfMonth = parts.day, let weekday = parts.weekday,
               months.contains(month), matchesDay(dayOfMonth: dayOfMonth, weekday: weekday - 1) {
                for hour in hours {
                    for minute in minutes {
                        let local = DateComponents(year: parts.year, month: month, day: dayOfMonth, hour: hour, minute: minute)
                        // Foundation resolves a skipped time forward and a repeated one to its first instant.
                        if let candidate = calendar.date(from: local), candidate > date { return candidate }
                    }
                }
            }
            guard let following = calendar.date(byAdding: .day, value: 1, to: day) else { return nil }
            day = following
        }
        return nil
    }

    private func matchesDay(dayOfMonth: Int, weekday: Int) -> Bool {
        let domMatches = daysOfMonth.contains(dayOfMonth)
        let dowMatches = daysOfWeek.contains(weekday)
        return dayFieldsCombineWithOr ? (domMatches || dowMatches) : (domMatches && dowMatches)
    }

    struct FieldError: Error { let message: String }

    static func parseField(_ text: String, range: ClosedRange<Int>, names: [String], nameOffset: Int) throws -> Set<Int> {
        var values = Set<Int>()
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let stepParts = item.split(separator: "/", omittingEmptySubsequences: false)
            guard stepParts.count <= 2, let base = stepParts.first, !base.isEmpty else { throw FieldError(message: "'\(item)' is not a value, range or step") }
            var step = 1
            if stepParts.count == 2 {
                guard let parsed = Int(stepParts[1]), parsed > 0 else { throw FieldError(message: "step '\(stepParts[1])' must be a positive number") }
                step = parsed
            }
            let bounds: ClosedRange<Int>
            if base == "*" {
                bounds = range
            } else {
                let ends = base.split(separator: "-", omittingEmptySubsequences: false)
                guard ends.count <= 2 else { throw FieldError(message: "'\(base)' is not a range") }
                let low = try value(ends[0], range: range, names: names, offset: nameOffset)
                let high = ends.count == 2 ? try value(ends[1], range: range, names: names, offset: nameOffset) : (stepParts.count == 2 ? range.upperBound : low)
                guard low <= high else { throw FieldError(message: "range '\(base)' runs backwards") }
                bounds = low...high
            }
            values.formUnion(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step))
        }
        return values
    }

    static func value(_ text: Substring, range: ClosedRange<Int>, names: [String], offset: Int) throws -> Int {
        if let index = names.firstIndex(of: String(text)) { return index + offset }
        guard let number = Int(text) else { throw FieldError(message: "'\(text)' is not a number") }
        guard range.contains(number) else { throw FieldError(message: "\(number) is outside \(range.lowerBound)-\(range.upperBound)") }
        return number
    }
}

extension TimeZone {
    /// A zone from its IANA name; throws a ``ValidationError`` on `field` for an unknown one.
    public static func named(_ name: String, field: String = "timezone") throws -> TimeZone {
        guard !name.isEmpty, let zone = TimeZone(identifier: name) else {
            throw ValidationError(field: field, reason: "is not a known time zone name (use an IANA name such as Europe/Berlin or UTC)")
        }
        return zone
    }
}
