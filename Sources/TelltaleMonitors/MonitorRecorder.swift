public import Foundation
public import Logging
public import TelltaleCore

/// Writes results and announces the state changes they cause: logged, counted, and handed to
/// whoever listens (alerting and incidents subscribe here).
public struct MonitorRecorder: Sendable {
    let monitors: any MonitorRepository
    let maintenance: MaintenanceCache
    public let metrics: MonitorMetrics
    let listeners: MonitorEventListeners
    let logger: Logger

    public init(monitors: any MonitorRepository, maintenance: MaintenanceCache, metrics: MonitorMetrics, listeners: MonitorEventListeners, logger: Logger) {
        self.monitors = monitors
        self.maintenance = maintenance
        self.metrics = metrics
        self.listeners = listeners
        self.logger = logger
    }

    /// Stores finished checks in one transaction.
    func record(_ batch: [(CheckResult, Monitor)]) async throws {
        let calendar = await maintenance.calendar
        let inMaintenance = Set(batch.compactMap { result, _ in calendar.isInMaintenance(result.monitorID, at: result.checkedAt) ? result.monitorID : nil })
        let events = try await monitors.record(batch.map(\.0), inMaintenance: inMaintenance)
        for (result, monitor) in batch { metrics.recorded(monitor, result) }
        announce(events)
    }

    /// Logs and publishes state changes.
    public func announce(_ events: [MonitorEvent]) {
        for event in events {
            logger.log(
                level: event.transition.to == .down ? .warning : .info,
                "Monitor changed state",
                metadata: [
                    "monitor.id": "\(event.monitorID)", "monitor.from": "\(event.transition.from.rawValue)",
                    "monitor.to": "\(event.transition.to.rawValue)", "monitor.maintenance": "\(event.duringMaintenance)",
                ]
            )
        }
        if !events.isEmpty { listeners.publish(events) }
    }
}

/// Subscribers to monitor state changes, each called with every batch of events.
public final class MonitorEventListeners: Sendable {
    private let handlers: [@Sendable ([MonitorEvent]) -> Void]

    public init(_ handlers: [@Sendable ([MonitorEvent]) -> Void] = []) {
        self.handlers = handlers
    }

    func publish(_ events: [MonitorEvent]) {
        for handler in handlers { handler(events) }
    }
}

/// The maintenance calendar, reloaded from the database every 30 s and after any change.
public actor MaintenanceCache {
    let statusPages: any StatusPageRepository
    private(set) var calendar = MaintenanceCalendar.empty
    private var loadedAt: Date?

    public init(statusPages: any StatusPageRepository) {
        self.statusPages = statusPages
    }

    /// Reloads when older than 30 s (or never loaded).
    public func refreshIfStale(now: Date) async {
        if let loadedAt, now.timeIntervalSince(loadedAt) < 30, now >= loadedAt { return }
        do {
            let windows = try await statusPages.allWindows()
            var pageMonitors: [StatusPageID: [MonitorID]] = [:]
            for pageID in Set(windows.compactMap(\.statusPageID)) {
                pageMonitors[pageID] = try await statusPages.page(id: pageID)?.monitorIDs ?? []
            }
            calendar = MaintenanceCalendar(windows: windows, pageMonitors: pageMonitors)
            loadedAt = now
        } catch {
            // Keep the last calendar; the next pass tries again.
        }
    }

    /// Forces the next ``refreshIfStale(now:)`` to reload.
    public func invalidate() { loadedAt = nil }

    /// The current calendar after a refresh if stale.
    public func current(now: Date) async -> MaintenanceCalendar {
        await refreshIfStale(now: now)
        return calendar
    }
}
