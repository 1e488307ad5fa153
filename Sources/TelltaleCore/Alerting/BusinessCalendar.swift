public import Foundation

public typealias BusinessCalendarID = Identifier<BusinessCalendar>

/// Named times that matter to a business (weekends, a peak season, a launch day), in one time
/// zone. A time is inside the calendar when any of its windows holds it.
public struct BusinessCalendar: Sendable, Hashable {
    public var id: BusinessCalendarID
    public var organizationID: OrganizationID
    public var name: String
    public var timeZone: TimeZone
    public var windows: [CalendarWindow]

    public init(id: BusinessCalendarID, organizationID: OrganizationID, name: String, timeZone: TimeZone, windows: [CalendarWindow]) {
        self.id = id
        self.organizationID = organizationID
        self.name = name
        self.timeZone = timeZone
        self.windows = windows
    }

    public func contains(_ date: Date) -> Bool {
        let local = CalendarWindow.LocalTime(date, in: timeZone)
        return windows.contains { $0.contains(local) }
    }
}

/// One window of a calendar: every constraint it has must hold (days of the week, a time of
/// day, a yearly date range such as June–September, a fixed date range or single dates).
/// "Saturdays in June–September" is one window with `days` and a yearly range.
public struct CalendarWindow: Sendable, Hashable, Codable {
    /// Monday = 0 … Sunday = 6.
    public var days: [Int]?
    /// Minutes after local midnight; `end` is exclusive, and earlier than `start` wraps past midnight.
    public var startMinute: Int?
    public var endMinute: Int?
    /// A yearly range, month and day (`06-01` … `09-30`), inclusive; may wrap the new year.
    public var fromMonthDay: MonthDay?
    public var toMonthDay: MonthDay?
    /// Fixed dates, inclusive (`2026-11-27`).
    public var fromDate: DayDate?
    public var toDate: DayDate?
    public var dates: [DayDate]?

    struct LocalTime {
        var year: Int
        var month: Int
        var day: Int
        /// Monday = 0.
        var weekday: Int
        var minuteOfDay: Int

        init(year: Int, month: Int, day: Int, weekday: Int, minuteOfDay: Int) {
            self.year = year
            self.month = month
            self.day = day
            self.weekday = weekday
            self.minuteOfDay = minuteOfDay
        }

        /// `date` on the wall clock of `timeZone`.
        init(_ date: Date, in timeZone: TimeZone) {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            let parts = calendar.dateComponents([.year, .month, .day, .weekday, .hour, .minute], from: date)
            self.init(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1, weekday: ((parts.weekday ?? 2) + 5) % 7,
                      minuteOfDay: (parts.hour ?? 0) * 60 + (parts.minute ?? 0))
        }
    }

    public init(days: [Int]? = nil, startMinute: Int? = nil, endMinute: Int? = nil, fromMonthDay: MonthDay? = nil, toMonthDay: MonthDay? = nil,
                fromDate: DayDate? = nil, toDate: DayDate? = nil, dates: [DayDate]? = nil) throws {
        if let days, days.isEmpty || days.contains(where: { !(0...6).contains($0) }) {
            throw ValidationError(field: "windows", reason: "days must name days of the week")
        }
        if (startMinute == nil) != (endMinute == nil) { throw ValidationError(field: "windows", reason: "need both start and end times") }
        if (fromMonthDay == nil) != (toMonthDay == nil) { throw ValidationError(field: "windows", reason: "a yearly range needs from and to") }
        if (fromDate == nil) != (toDate == nil) { throw ValidationError(field: "windows", reason: "a date range needs from_date and to_date") }
        if let fromDate, let toDate, toDate < fromDate { throw ValidationError(field: "windows", reason: "to_date is before from_date") }
        if days == nil, startMinute == nil, fromMonthDay == nil, fromDate == nil, dates?.isEmpty ?? true {
            throw ValidationError(field: "windows", reason: "a window needs days, times, a date range or dates")
        }
        self.days = days
        self.startMinute = startMinute
        self.endMinute = endMinute
        self.fromMonthDay = fromMonthDay
        self.toMonthDay = toMonthDay
        self.fromDate = fromDate
        self.toDate = toDate
        self.dates = dates
    }

    func contains(_ local: LocalTime) -> Bool {
        if let days, !days.contains(local.weekday) { return false }
        if let start = startMinute, let end = endMinute {
            let inside = start <= end ? (start..<end).contains(local.minuteOfDay) : local.minuteOfDay >= start || local.minuteOfDay < end
            if !inside { return false }
        }
        if let from = fromMonthDay, let to = toMonthDay {
            let today = MonthDay(month: local.month, day: local.day)
            let inside = from <= to ? from <= today && today <= to : today >= from || today <= to
            if !inside { return false }
        }
        let date = DayDate(year: local.year, month: local.month, day: local.day)
        if let from = fromDate, let to = toDate, !(from <= date && date <= to) { return false }
        if let dates, !dates.isEmpty, !dates.contains(date) { return false }
        return true
    }

    enum CodingKeys: String, CodingKey {
        case days, start, end, from, to, fromDate = "from_date", toDate = "to_date", dates
    }

    static let dayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let days = try c.decodeIfPresent([String].self, forKey: .days)?.map { name -> Int in
            guard let index = Self.dayNames.firstIndex(of: String(name.lowercased().prefix(3))) else {
                throw ValidationError(field: "windows", reason: "has an unknown day '\(name)'")
            }
            return index
        }
        func minute(_ key: CodingKeys) throws -> Int? {
            guard let text = try c.decodeIfPresent(String.self, forKey: key) else { return nil }
            let parts = text.split(separator: ":").compactMap { Int($0) }
            guard parts.count == 2, (0...24).contains(parts[0]), (0...59).contains(parts[1]), parts[0] * 60 + parts[1] <= 1440 else {
                throw ValidationError(field: "windows", reason: "times are HH:MM, got '\(text)'")
            }
            return parts[0] * 60 + parts[1]
        }
        try self.init(days: days, startMinute: try minute(.start), endMinute: try minute(.end),
                      fromMonthDay: try c.decodeIfPresent(String.self, forKey: .from).map(MonthDay.init(parsing:)),
                      toMonthDay: try c.decodeIfPresent(String.self, forKey: .to).map(MonthDay.init(parsing:)),
                      fromDate: try c.decodeIfPresent(String.self, forKey: .fromDate).map(DayDate.init(parsing:)),
                      toDate: try c.decodeIfPresent(String.self, forKey: .toDate).map(DayDate.init(parsing:)),
                      dates: try c.decodeIfPresent([String].self, forKey: .dates)?.map(DayDate.init(parsing:)))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        func time(_ minute: Int) -> String { String(format: "%02d:%02d", minute / 60, minute % 60) }
        try c.encodeIfPresent(days?.map { Self.dayNames[$0] }, forKey: .days)
        try c.encodeIfPresent(startMinute.map(time), forKey: .start)
        try c.encodeIfPresent(endMinute.map(time), forKey: .end)
        try c.encodeIfPresent(fromMonthDay?.description, forKey: .from)
        try c.encodeIfPresent(toMonthDay?.description, forKey: .to)
        try c.encodeIfPresent(fromDate?.description, forKey: .fromDate)
        try c.encodeIfPresent(toDate?.description, forKey: .toDate)
        try c.encodeIfPresent(dates?.map(\.description), forKey: .dates)
    }
}

/// A day of any year, `MM-DD`.
public struct MonthDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var month: Int
    public var day: Int

    public init(month: Int, day: Int) {
        self.month = month
        self.day = day
    }

    public init(parsing text: String) throws {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 2, (1...12).contains(parts[0]), (1...31).contains(parts[1]) else {
            throw ValidationError(field: "windows", reason: "yearly dates are MM-DD, got '\(text)'")
        }
        self.init(month: parts[0], day: parts[1])
    }

    public static func < (lhs: MonthDay, rhs: MonthDay) -> Bool { (lhs.month, lhs.day) < (rhs.month, rhs.day) }
    public var description: String { String(format: "%02d-%02d", month, day) }
}

/// A calendar date, `YYYY-MM-DD`.
public struct DayDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    public init(parsing text: String) throws {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, (1970...9999).contains(parts[0]), (1...12).contains(parts[1]), (1...31).contains(parts[2]) else {
            throw ValidationError(field: "windows", reason: "dates are YYYY-MM-DD, got '\(text)'")
        }
        self.init(year: parts[0], month: parts[1], day: parts[2])
    }

    public static func < (lhs: DayDate, rhs: DayDate) -> Bool { (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day) }
    public var description: String { String(format: "%04d-%02d-%02d", year, month, day) }
}
