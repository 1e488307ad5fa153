public import Foundation

/// Identifies a ``Monitor``.
public typealias MonitorID = Identifier<Monitor>

/// What kind of check a monitor runs.
public enum MonitorType: String, Sendable, Hashable, Codable, CaseIterable {
    /// An HTTP(S) request with assertions.
    case http
    /// A TCP connect.
    case tcp
    /// A PostgreSQL connection and read-only query.
    case postgres
    /// Pushed pings on a schedule (`/ping/{token}`).
    case heartbeat
    /// Sentry cron check-ins.
    case cron

    /// Whether the scheduler runs a check (the others wait for pings and only check deadlines).
    public var isActive: Bool { self == .http || self == .tcp || self == .postgres }
}

/// A scheduled check of a service, or a deadline for pings from one.
public struct Monitor: Sendable, Hashable {
    public var id: MonitorID
    public var organizationID: OrganizationID
    /// The project it belongs to, if any (cron monitors always have one).
    public var projectID: ProjectID?
    public var name: String
    /// The component it appears under on status pages.
    public var component: String
    /// For cron monitors, the slug the SDK names it by.
    public var slug: String?
    /// What to check and how.
    public var target: MonitorTarget
    public var intervalSeconds: Int
    public var timeoutSeconds: Int
    public var failureThreshold: Int
    public var recoveryThreshold: Int
    /// The flap-protected state.
    public var state: MonitorState
    /// For heartbeat and cron monitors: the secret in the ping URL.
    public var pingToken: String?
    public var createdAt: Date

    public init(id: MonitorID, organizationID: OrganizationID, projectID: ProjectID?, name: String, component: String, slug: String?,
                target: MonitorTarget, intervalSeconds: Int, timeoutSeconds: Int, failureThreshold: Int, recoveryThreshold: Int,
                state: MonitorState, pingToken: String?, createdAt: Date) {
        self.id = id
        self.organizationID = organizationID
        self.projectID = projectID
        self.name = name
        self.component = component
        self.slug = slug
        self.target = target
        self.intervalSeconds = intervalSeconds
        self.timeoutSeconds = timeoutSeconds
        self.failureThreshold = failureThreshold
        self.recoveryThreshold = recoveryThreshold
        self.state = state
        self.pingToken = pingToken
        self.createdAt = createdAt
    }

    public var type: MonitorType { target.type }
    public var isPaused: Bool { state.status == .paused }
    public var stateMachine: MonitorStateMachine {
        MonitorStateMachine(failureThreshold: failureThreshold, recoveryThreshold: recoveryThreshold)
    }
}

/// Everything needed to create or replace a monitor, validated.
public struct MonitorDraft: Sendable, Hashable {
    public var projectID: ProjectID?
    public var name: String
    public var component: String
    public var slug: String?
    public var target: MonitorTarget
    public var intervalSeconds: Int
    public var timeoutSeconds: Int
    public var failureThreshold: Int
    public var recoveryThreshold: Int
    public var paused: Bool

    /// Checks every field; throws a ``ValidationError`` naming the first one at fault.
    public init(projectID: ProjectID? = nil, name: String, component: String? = nil, slug: String? = nil, target: MonitorTarget,
                intervalSeconds: Int = 60, timeoutSeconds: Int? = nil, failureThreshold: Int = 1, recoveryThreshold: Int = 1,
                paused: Bool = false) throws {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 200 else { throw ValidationError(field: "name", reason: "must be 1 to 200 characters") }
        guard (1...86_400 * 31).contains(intervalSeconds) else {
            throw ValidationError(field: "interval_seconds", reason: "must be between 1 and 2678400 seconds")
        }
        let timeout = timeoutSeconds ?? min(30, intervalSeconds)
        guard (1...300).contains(timeout) else { throw ValidationError(field: "timeout_seconds", reason: "must be between 1 and 300 seconds") }
        guard (1...100).contains(failureThreshold) else { throw ValidationError(field: "failure_threshold", reason: "must be between 1 and 100") }
        guard (1...100).contains(recoveryThreshold) else { throw ValidationError(field: "recovery_threshold", reason: "must be between 1 and 100") }
        let group = (component ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard group.count <= 200 else { throw ValidationError(field: "component", reason: "must be at most 200 characters") }
        self.projectID = projectID
        self.name = trimmed
        self.component = group.isEmpty ? trimmed : group
        self.slug = slug
        self.target = target
        self.intervalSeconds = intervalSeconds
        self.timeoutSeconds = timeout
        self.failureThreshold = failureThreshold
        self.recoveryThreshold = recoveryThreshold
        self.paused = paused
    }
}
