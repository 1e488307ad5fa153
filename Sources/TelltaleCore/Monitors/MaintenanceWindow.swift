public import Foundation

/// Identifies a ``MaintenanceWindow``.
public typealias MaintenanceWindowID = Identifier<MaintenanceWindow>

/// When planned work happens: checks still run and are recorded, but the time counts as
/// neither uptime nor downtime and no down events are sent.
public enum MaintenanceSchedule: Sendable, Hashable {
    /// Once, from start to end.
    case once(TimeRange)
    /// Every week on the given days (0 = Sunday) at a local time, for a duration.
    case weekly(days: Set<Int>, startMinute: Int, durationMinutes: Int, timeZone: TimeZone)
    /// Whenever a crontab fires, for a duration.
    case cron(CronSchedule, durationMinutes: Int, timeZone: TimeZone)

    /// The occurrences that overlap `range`, in order.
    public func occurrences(overlapping range: TimeRange) -> [TimeRange] {
        switch self {
        case .once(let window):
            return window.clamped(to: range) != nil ? [window] : []
        case .weekly(let days, let startMinute, let durationMinutes, let zone):
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let duration = TimeInterval(durationMinutes * 60)
            var result: [TimeRange] = []
            // Start a duration early, so a window begun before `range` and still running is found.
            var day = calendar.startOfDay(for: range.start.addingTimeInterval(-duration))
            while day < range.end {
                let weekday = calendar.component(.weekday, from: day) - 1
                if days.contains(weekday) {
                    var parts = calendar.dateComponents([.year, .month, .day], from: day)
                    parts.hour = startMinute / 60
                    parts.minute = startMinute % 60
                    if let start = calendar.date(from: parts) {
                        let window = TimeRange(start: start, end: start.addingTimeInterval(duration))
                        if window.clamped(to: range) != nil { result.append(window) }
                    }
                }
                guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { break }
                day = next
            }
            return result
        case .cron(let cron, let durationMinutes, let zone):
            let duration = TimeInterval(durationMinutes * 60)
            var result: [TimeRange] = []
            var cursor = range.start.addingTimeInterval(-duration - 60)
            while let start = cron.next(after: cursor, in: zone), start < range.end, result.count < 10_000 {
                let window = TimeRange(start: start, end: start.addingTimeInterval(duration))
                if window.clamped(to: range) != nil { result.append(window) }
                cursor = start
            }
            return result
        }
    }

    /// Whether `date` falls inside an occurrence.
    public func contains(_ date: Date) -> Bool {
        !occurrences(overlapping: TimeRange(start: date, end: date.addingTimeInterval(0.001))).isEmpty
    }
}

/// Planned work on some monitors, or on every monitor of a status page.
public struct MaintenanceWindow: Sendable, Hashable {
    public var id: MaintenanceWindowID
    public var organizationID: OrganizationID
    public var title: String
    public var schedule: MaintenanceSchedule
    /// The monitors it covers.
    public var monitorIDs: [MonitorID]
    /// A status page whose monitors it covers (all of them, including ones added later).
    public var statusPageID: StatusPageID?

    public init(id: MaintenanceWindowID, organizationID: OrganizationID, title: String, schedule: MaintenanceSchedule,
                monitorIDs: [MonitorID], statusPageID: StatusPageID?) {
        self.id = id
        self.organizationID = organizationID
        self.title = title
        self.schedule = schedule
        self.monitorIDs = monitorIDs
        self.statusPageID = statusPageID
    }
}
