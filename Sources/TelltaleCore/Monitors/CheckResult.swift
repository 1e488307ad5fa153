public import Foundation

/// What one check (or one ping, or one missed deadline) found, before it is stored.
public struct CheckResult: Sendable, Hashable {
    public var monitorID: MonitorID
    /// When the check started (or the ping arrived).
    public var checkedAt: Date
    /// When it was meant to start, for the scheduler-lag figure.
    public var scheduledAt: Date?
    public var verdict: CheckVerdict
    /// Time to the answer, in milliseconds (`nil` when nothing answered).
    public var responseMilliseconds: Double?
    /// The HTTP status, for HTTP checks.
    public var statusCode: Int?
    /// What happened, in words: the error for a failure, the warning for degraded.
    public var message: String
    /// When the scheduler should look at this monitor next.
    public var nextCheckAt: Date

    public init(monitorID: MonitorID, checkedAt: Date, scheduledAt: Date? = nil, verdict: CheckVerdict, responseMilliseconds: Double? = nil,
                statusCode: Int? = nil, message: String, nextCheckAt: Date) {
        self.monitorID = monitorID
        self.checkedAt = checkedAt
        self.scheduledAt = scheduledAt
        self.verdict = verdict
        self.responseMilliseconds = responseMilliseconds
        self.statusCode = statusCode
        self.message = message
        self.nextCheckAt = nextCheckAt
    }
}

/// A stored result.
public struct MonitorResult: Sendable, Hashable {
    public var id: Int64
    public var monitorID: MonitorID
    public var checkedAt: Date
    public var verdict: CheckVerdict
    public var responseMilliseconds: Double?
    public var statusCode: Int?
    public var message: String

    public init(id: Int64, monitorID: MonitorID, checkedAt: Date, verdict: CheckVerdict, responseMilliseconds: Double?, statusCode: Int?, message: String) {
        self.id = id
        self.monitorID = monitorID
        self.checkedAt = checkedAt
        self.verdict = verdict
        self.responseMilliseconds = responseMilliseconds
        self.statusCode = statusCode
        self.message = message
    }
}

/// A period a monitor was down: from the first failing result to the first result of the
/// run that recovered it (open while it is still down).
public struct Downtime: Sendable, Hashable {
    public var id: Int64
    public var monitorID: MonitorID
    public var start: Date
    /// `nil` while still down.
    public var end: Date?
    /// The first failing result's message.
    public var cause: String
    /// The first failing result.
    public var firstResultID: Int64?

    public init(id: Int64, monitorID: MonitorID, start: Date, end: Date?, cause: String, firstResultID: Int64?) {
        self.id = id
        self.monitorID = monitorID
        self.start = start
        self.end = end
        self.cause = cause
        self.firstResultID = firstResultID
    }

    /// The period, with an open one ending at `now`.
    public func range(now: Date) -> TimeRange { TimeRange(start: start, end: end ?? max(start, now)) }
}

/// A recorded state change: the domain event alerting and incidents consume.
public struct MonitorEvent: Sendable, Hashable {
    public var id: Int64
    public var monitorID: MonitorID
    public var organizationID: OrganizationID
    public var transition: MonitorTransition
    /// A change during maintenance is recorded but sends nothing.
    public var duringMaintenance: Bool

    public init(id: Int64, monitorID: MonitorID, organizationID: OrganizationID, transition: MonitorTransition, duringMaintenance: Bool) {
        self.id = id
        self.monitorID = monitorID
        self.organizationID = organizationID
        self.transition = transition
        self.duringMaintenance = duringMaintenance
    }
}
