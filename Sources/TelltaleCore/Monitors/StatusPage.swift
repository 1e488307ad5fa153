public import Foundation

/// Identifies a ``StatusPage``.
public typealias StatusPageID = Identifier<StatusPage>
/// Identifies a ``StatusNotice``.
public typealias StatusNoticeID = Identifier<StatusNotice>

/// A public page showing chosen monitors as components, at `/status/{slug}`.
public struct StatusPage: Sendable, Hashable {
    public var id: StatusPageID
    public var organizationID: OrganizationID
    /// Unique across the installation: it is the public URL.
    public var slug: Slug
    public var title: String
    public var description: String
    /// The monitors shown, in display order; each appears under its monitor's component.
    public var monitorIDs: [MonitorID]
    public var createdAt: Date

    public init(id: StatusPageID, organizationID: OrganizationID, slug: Slug, title: String, description: String, monitorIDs: [MonitorID], createdAt: Date) {
        self.id = id
        self.organizationID = organizationID
        self.slug = slug
        self.title = title
        self.description = description
        self.monitorIDs = monitorIDs
        self.createdAt = createdAt
    }
}

/// A message posted on a status page by hand (or by an incident).
public struct StatusNotice: Sendable, Hashable {
    /// How serious, which also colours it.
    public enum Severity: String, Sendable, Hashable, Codable, CaseIterable {
        case info, minor, major, critical, resolved

        /// How an incident of `severity` reads on a status page.
        public init(_ severity: IncidentSeverity) {
            switch severity {
            case .critical: self = .critical
            case .high: self = .major
            case .medium, .low: self = .minor
            }
        }
    }

    public var id: StatusNoticeID
    public var statusPageID: StatusPageID
    public var title: String
    public var body: String
    public var severity: Severity
    public var createdAt: Date

    public init(id: StatusNoticeID, statusPageID: StatusPageID, title: String, body: String, severity: Severity, createdAt: Date) {
        self.id = id
        self.statusPageID = statusPageID
        self.title = title
        self.body = body
        self.severity = severity
        self.createdAt = createdAt
    }
}

/// How a status page names a component's state.
public enum ComponentStatus: String, Sendable, Hashable, CaseIterable {
    case operational = "Operational"
    case degraded = "Degraded performance"
    case partialOutage = "Partial outage"
    case majorOutage = "Major outage"
    case maintenance = "Maintenance"

    /// The state of a component from its monitors' states: all down is a major outage, some
    /// down a partial one; maintenance wins over both.
    public static func of(_ statuses: [MonitorStatus], inMaintenance: Bool) -> ComponentStatus {
        if inMaintenance { return .maintenance }
        let counted = statuses.filter { $0 != .paused && $0 != .pending }
        let down = counted.filter { $0 == .down }.count
        if down > 0 { return down == counted.count ? .majorOutage : .partialOutage }
        if counted.contains(.degraded) { return .degraded }
        return .operational
    }

    /// The worst of several, for the page's banner.
    public static func overall(_ components: [ComponentStatus]) -> ComponentStatus {
        let order: [ComponentStatus] = [.majorOutage, .partialOutage, .degraded, .maintenance]
        return order.first(where: components.contains) ?? .operational
    }

    /// A CSS-safe name.
    public var token: String {
        switch self {
        case .operational: "operational"
        case .degraded: "degraded"
        case .partialOutage: "partial"
        case .majorOutage: "major"
        case .maintenance: "maintenance"
        }
    }
}
