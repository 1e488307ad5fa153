public import Foundation

/// Every maintenance window resolved to the monitors it covers: answers "is this monitor in
/// maintenance now" and "when was it in maintenance", for the scheduler, pings and uptime.
public struct MaintenanceCalendar: Sendable {
    let windowsByMonitor: [MonitorID: [MaintenanceWindow]]

    /// `pageMonitors` resolves a page-wide window to the page's monitors.
    public init(windows: [MaintenanceWindow], pageMonitors: [StatusPageID: [MonitorID]]) {
        var byMonitor: [MonitorID: [MaintenanceWindow]] = [:]
        for window in windows {
            var covered = Set(window.monitorIDs)
            if let page = window.statusPageID { covered.formUnion(pageMonitors[page] ?? []) }
            for id in covered { byMonitor[id, default: []].append(window) }
        }
        windowsByMonitor = byMonitor
    }

    public static let empty = MaintenanceCalendar(windows: [], pageMonitors: [:])

    public func isInMaintenance(_ monitorID: MonitorID, at date: Date) -> Bool {
        windowsByMonitor[monitorID]?.contains { $0.schedule.contains(date) } ?? false
    }

    /// The maintenance periods of a monitor overlapping `range`, merged.
    public func periods(_ monitorID: MonitorID, overlapping range: TimeRange) -> [TimeRange] {
        TimeRange.union((windowsByMonitor[monitorID] ?? []).flatMap { $0.schedule.occurrences(overlapping: range) })
    }

    /// Windows covering a monitor that are running at `now` or start within `horizon`.
    public func upcoming(_ monitorIDs: [MonitorID], now: Date, horizon: TimeInterval) -> [(MaintenanceWindow, TimeRange)] {
        let range = TimeRange(start: now, end: now.addingTimeInterval(horizon))
        var seen = Set<MaintenanceWindowID>()
        var result: [(MaintenanceWindow, TimeRange)] = []
        for id in monitorIDs {
            for window in windowsByMonitor[id] ?? [] where !seen.contains(window.id) {
                if let first = window.schedule.occurrences(overlapping: range).first {
                    seen.insert(window.id)
                    result.append((window, first))
                }
            }
        }
        return result.sorted { $0.1.start < $1.1.start }
    }
}
