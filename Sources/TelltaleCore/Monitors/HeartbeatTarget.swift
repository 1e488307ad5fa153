public import Foundation

/// When a push monitor (heartbeat or Sentry cron) expects to hear from its job.
public enum HeartbeatSchedule: Sendable, Hashable {
    /// Every so many seconds.
    case interval(seconds: Int)
    /// On a crontab in a time zone.
    case cron(CronSchedule, TimeZone)

    /// When the next run is due after one at `date`.
    public func nextDue(after date: Date) -> Date {
        switch self {
        case .interval(let seconds):
            return date.addingTimeInterval(TimeInterval(seconds))
        case .cron(let cron, let zone):
            // A crontab that never fires (February 30th) is never due.
            return cron.next(after: date, in: zone) ?? .distantFuture
        }
    }

    /// The crontab text, or `nil` for an interval.
    public var crontab: String? {
        if case .cron(let cron, _) = self { return cron.expression }
        return nil
    }

    /// The time-zone name, for a crontab.
    public var timeZoneName: String? {
        if case .cron(_, let zone) = self { return zone.identifier }
        return nil
    }
}

/// The expectations of a push monitor: a schedule, a grace period and an optional max runtime.
public struct HeartbeatTarget: Sendable, Hashable {
    public var schedule: HeartbeatSchedule
    /// How long after the due time a success may still arrive before the run counts as missed.
    public var graceSeconds: Int
    /// A started run that has not finished after this long is a failure.
    public var maxRuntimeSeconds: Int?

    public init(schedule: HeartbeatSchedule, graceSeconds: Int = 60, maxRuntimeSeconds: Int? = nil) throws {
        guard (0...86_400 * 7).contains(graceSeconds) else { throw ValidationError(field: "grace_seconds", reason: "must be between 0 and 604800") }
        if let maxRuntimeSeconds, !(1...86_400 * 7).contains(maxRuntimeSeconds) {
            throw ValidationError(field: "max_runtime_seconds", reason: "must be between 1 and 604800")
        }
        if case .interval(let seconds) = schedule, !(1...86_400 * 31).contains(seconds) {
            throw ValidationError(field: "interval_seconds", reason: "must be between 1 and 2678400 seconds")
        }
        self.schedule = schedule
        self.graceSeconds = graceSeconds
        self.maxRuntimeSeconds = maxRuntimeSeconds
    }

    /// The moment the scheduler must look again: the end of grace after the next due run, or
    /// the end of the max runtime of the run in progress, whichever comes first.
    public func deadline(lastSuccess: Date, runStartedAt: Date?) -> Date {
        let missed = schedule.nextDue(after: lastSuccess).addingTimeInterval(TimeInterval(graceSeconds))
        guard let runStartedAt, let maxRuntimeSeconds else { return missed }
        return min(missed, runStartedAt.addingTimeInterval(TimeInterval(maxRuntimeSeconds)))
    }

    /// What went wrong when the deadline passed at `now` without a success.
    public func overdueVerdict(lastSuccess: Date, runStartedAt: Date?, now: Date) -> String {
        if let runStartedAt, let maxRuntimeSeconds, now >= runStartedAt.addingTimeInterval(TimeInterval(maxRuntimeSeconds)) {
            return "run started at \(runStartedAt.iso8601) has not finished within its max runtime of \(maxRuntimeSeconds) s"
        }
        let due = schedule.nextDue(after: lastSuccess)
        return "missed: no success since \(lastSuccess.iso8601), the run due at \(due.iso8601) did not report within \(graceSeconds) s of grace"
    }
}

extension Date {
    /// ISO 8601 in UTC with seconds, for messages.
    public var iso8601: String {
        formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: false, timeZone: TimeZone(identifier: "UTC")!))
    }
}
