public import Foundation
public import TelltaleCore
import Logging

/// What a public status page shows, computed once and cached briefly: component states, daily
/// uptime, notices and maintenance. Holds nothing that was not chosen for the page (no URLs,
/// no check errors, no monitor names).
public struct StatusSnapshot: Sendable {
    public struct Day: Sendable {
        public var start: Date
        /// `nil` when nothing was monitored that day.
        public var uptimePercent: Double?
        public var downtimeSeconds: Double
    }

    public struct Component: Sendable {
        public var name: String
        public var status: ComponentStatus
        public var uptimePercent: Double?
        public var days: [Day]
    }

    public struct Maintenance: Sendable {
        public var title: String
        public var window: TimeRange
        public var active: Bool
    }

    public var page: StatusPage
    public var status: ComponentStatus
    public var components: [Component]
    public var notices: [StatusNotice]
    public var maintenance: [Maintenance]
    public var generatedAt: Date

    /// How many daily bars a page shows.
    public static let days = 90

    /// Builds the snapshot of `page` now.
    public static func build(_ page: StatusPage, service: MonitorService) async throws -> StatusSnapshot {
        let now = service.now()
        let monitors = try await service.monitors.monitors(ids: page.monitorIDs).filter { $0.organizationID == page.organizationID }
        let daily = try await service.dailyUptime(monitors, days: days)
        let calendar = await service.maintenance.current(now: now)
        var order: [String] = []
        var grouped: [String: [Monitor]] = [:]
        for monitor in monitors {
            if grouped[monitor.component] == nil { order.append(monitor.component) }
            grouped[monitor.component, default: []].append(monitor)
        }
        let components = order.map { name -> Component in
            let members = grouped[name] ?? []
            let inMaintenance = members.contains { calendar.isInMaintenance($0.id, at: now) }
            let days = (0..<Self.days).map { index -> Day in
                let reports = members.compactMap { daily[$0.id]?[safe: index] }
                let values = reports.compactMap(\.uptimePercent)
                return Day(start: reports.first?.window.start ?? now,
                           uptimePercent: values.isEmpty ? nil : values.reduce(0, +) / Double(values.count),
                           downtimeSeconds: reports.map(\.downtimeSeconds).max() ?? 0)
            }
            // Overall uptime weighs each day by the time monitored.
            var monitored = 0.0, up = 0.0
            for member in members {
                for report in daily[member.id] ?? [] {
                    monitored += report.monitoredSeconds
                    up += report.monitoredSeconds - report.downtimeSeconds
                }
            }
            return Component(name: name, status: ComponentStatus.of(members.map(\.state.status), inMaintenance: inMaintenance),
                             uptimePercent: monitored > 0 ? 100 * up / monitored : nil, days: days)
        }
        let maintenance = calendar.upcoming(monitors.map(\.id), now: now, horizon: 7 * 86_400).map { window, range in
            Maintenance(title: window.title, window: range, active: range.start <= now && now < range.end)
        }
        return StatusSnapshot(page: page, status: ComponentStatus.overall(components.map(\.status)), components: components,
                              notices: try await service.statusPages.notices(pageID: page.id, limit: 20), maintenance: maintenance, generatedAt: now)
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

/// Status snapshots by slug. A snapshot older than `lifetime` is still served while one task
/// builds its successor (stale-while-revalidate), so a busy public page costs one computation
/// every few seconds and no visitor waits for it; only a page's first visitor does.
public actor StatusSnapshotCache {
    let service: MonitorService
    let lifetime: TimeInterval
    private var entries: [String: StatusSnapshot] = [:]
    private var refreshing: Set<String> = []

    public init(service: MonitorService, lifetime: TimeInterval = 5) {
        self.service = service
        self.lifetime = lifetime
    }

    /// The snapshot of the page with `slug`, or `nil` if there is none.
    public func snapshot(slug: Slug) async throws -> StatusSnapshot? {
        let now = service.now()
        if let cached = entries[slug.rawValue] {
            if abs(now.timeIntervalSince(cached.generatedAt)) >= lifetime, refreshing.insert(slug.rawValue).inserted {
                Task { await self.refresh(slug) }
            }
            return cached
        }
        return try await build(slug)
    }

    private func refresh(_ slug: Slug) async {
        defer { refreshing.remove(slug.rawValue) }
        do {
            _ = try await build(slug)
        } catch {
            // The stale snapshot stays; the next visitor tries again.
            service.recorder.logger.warning("Status page not refreshed", metadata: ["status_page": "\(slug.rawValue)", "error": "\(error)"])
        }
    }

    private func build(_ slug: Slug) async throws -> StatusSnapshot? {
        guard let page = try await service.statusPages.page(slug: slug) else {
            entries[slug.rawValue] = nil
            return nil
        }
        let snapshot = try await StatusSnapshot.build(page, service: service)
        if entries.count > 1000 { entries.removeAll() }
        entries[slug.rawValue] = snapshot
        return snapshot
    }
}
