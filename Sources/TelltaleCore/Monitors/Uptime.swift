public import Foundation

/// Uptime over a window, computed exactly from downtime periods (not by counting samples).
public struct UptimeReport: Sendable, Hashable {
    /// The window asked for, clipped to the monitor's lifetime.
    public var window: TimeRange
    /// 100 × (monitored time − downtime) / monitored time; `nil` when nothing was monitored.
    public var uptimePercent: Double?
    /// Downtime inside the window, outside maintenance.
    public var downtimeSeconds: TimeInterval
    /// The window minus maintenance.
    public var monitoredSeconds: TimeInterval
    /// The downtime periods, clipped to the window and with maintenance cut out.
    public var periods: [TimeRange]

    /// Computes the report. Open downtimes should already end at `window.end` (or now).
    /// `notMonitored` covers time that counts neither way: maintenance, pauses, before creation.
    public static func compute(window: TimeRange, downtimes: [TimeRange], notMonitored: [TimeRange]) -> UptimeReport {
        let excluded = TimeRange.union(notMonitored.compactMap { $0.clamped(to: window) })
        let monitored = window.duration - excluded.reduce(0) { $0 + $1.duration }
        let periods = TimeRange.subtracting(excluded, from: downtimes.compactMap { $0.clamped(to: window) })
        let down = periods.reduce(0) { $0 + $1.duration }
        let percent = monitored > 0 ? max(0, min(100, 100 * (monitored - down) / monitored)) : nil
        return UptimeReport(window: window, uptimePercent: percent, downtimeSeconds: down, monitoredSeconds: max(0, monitored), periods: periods)
    }

    /// One report per calendar day (in `timeZone`) for the `days` days ending with the day of `now`,
    /// oldest first: the status page's daily bars.
    public static func daily(days: Int, now: Date, timeZone: TimeZone, lifetimeStart: Date,
                             downtimes: [TimeRange], notMonitored: [TimeRange]) -> [UptimeReport] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let today = calendar.startOfDay(for: now)
        return (0..<days).reversed().compactMap { back -> UptimeReport? in
            guard let start = calendar.date(byAdding: .day, value: -back, to: today),
                  let end = calendar.date(byAdding: .day, value: 1, to: start) else { return nil }
            let day = TimeRange(start: start, end: min(end, now))
            let before = TimeRange(start: start, end: max(start, min(lifetimeStart, end)))
            return compute(window: day, downtimes: downtimes, notMonitored: notMonitored + [before])
        }
    }
}
