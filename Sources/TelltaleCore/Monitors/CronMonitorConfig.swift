import Foundation
public import SentryProtocol

/// A Sentry check-in's `monitor_config`: the SDK creates or updates its monitor with it.
public struct CronMonitorConfig: Sendable, Hashable {
    public var schedule: HeartbeatSchedule
    /// Minutes after the expected time before a run counts as missed (Sentry's default: 1).
    public var marginMinutes: Int
    /// Minutes an `in_progress` run may last (Sentry's default: 30).
    public var maxRuntimeMinutes: Int
    public var failureThreshold: Int
    public var recoveryThreshold: Int

    /// Seconds per interval unit; months and years are approximated as Sentry does.
    static let unitSeconds = ["minute": 60, "hour": 3_600, "day": 86_400, "week": 604_800, "month": 2_592_000, "year": 31_536_000]

    /// Parses `monitor_config`; throws a ``ValidationError`` naming the field at fault.
    public init(_ value: JSONValue) throws {
        guard let schedule = value["schedule"] else { throw ValidationError(field: "monitor_config.schedule", reason: "is required") }
        let zone = try TimeZone.named(value["timezone"]?.stringValue ?? "UTC", field: "monitor_config.timezone")
        switch schedule["type"]?.stringValue {
        case "crontab":
            self.schedule = .cron(try CronSchedule(schedule["value"]?.stringValue ?? "", field: "monitor_config.schedule"), zone)
        case "interval":
            guard let count = schedule["value"]?.intValue, count > 0, let unit = Self.unitSeconds[schedule["unit"]?.stringValue ?? ""] else {
                throw ValidationError(field: "monitor_config.schedule", reason: "interval needs a positive value and a unit (minute, hour, day, week, month, year)")
            }
            self.schedule = .interval(seconds: Int(min(Int64(86_400 * 366), count * Int64(unit))))
        default:
            throw ValidationError(field: "monitor_config.schedule", reason: "type must be crontab or interval")
        }
        func minutes(_ key: String, _ fallback: Int, _ range: ClosedRange<Int>) throws -> Int {
            guard let raw = value[key], raw != .null else { return fallback }
            guard let number = raw.intValue ?? raw.doubleValue.map({ Int64($0) }), range.contains(Int(number)) else {
                throw ValidationError(field: "monitor_config.\(key)", reason: "must be between \(range.lowerBound) and \(range.upperBound)")
            }
            return Int(number)
        }
        marginMinutes = try minutes("checkin_margin", 1, 0...10_080)
        maxRuntimeMinutes = try minutes("max_runtime", 30, 1...10_080)
        failureThreshold = try minutes("failure_issue_threshold", 1, 1...100)
        recoveryThreshold = try minutes("recovery_threshold", 1, 1...100)
    }

    /// The push-monitor settings this config describes.
    public func heartbeatTarget() throws -> HeartbeatTarget {
        try HeartbeatTarget(schedule: schedule, graceSeconds: marginMinutes * 60, maxRuntimeSeconds: maxRuntimeMinutes * 60)
    }

    /// The interval a monitor shows: the schedule's period (a day for a crontab).
    public var intervalSeconds: Int {
        if case .interval(let seconds) = schedule { return max(1, seconds) }
        return 86_400
    }
}
