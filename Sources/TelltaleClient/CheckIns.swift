public import Foundation
import SentryProtocol

/// A cron job's schedule as Sentry's `monitor_config` says it.
public enum MonitorSchedule: Sendable, Hashable {
    /// `0 * * * *`
    case crontab(String)
    /// Every `count` units (`minute`, `hour`, `day`, `week`, `month`, `year`).
    case interval(Int, unit: String)

    var json: JSONValue {
        switch self {
        case .crontab(let value): .object(["type": .string("crontab"), "value": .string(value)])
        case .interval(let count, let unit): .object(["type": .string("interval"), "value": .int(Int64(count)), "unit": .string(unit)])
        }
    }
}

public enum CheckInStatus: String, Sendable { case inProgress = "in_progress", ok, error }

extension TelltaleClient {
    /// Sends one check-in of the monitor `slug` (with its schedule, the server creates or
    /// updates the monitor); returns the check-in's id, to close it later.
    @discardableResult
    public func captureCheckIn(slug: String, status: CheckInStatus, id: String? = nil, duration: TimeInterval? = nil,
                               schedule: MonitorSchedule? = nil, marginMinutes: Int? = nil, maxRuntimeMinutes: Int? = nil) -> String? {
        let checkInID = id ?? Self.eventID()
        var payload: JSONObject = ["check_in_id": .string(checkInID), "monitor_slug": .string(slug), "status": .string(status.rawValue)]
        if let duration { payload["duration"] = .double(duration) }
        if let environment = options.environment { payload["environment"] = .string(environment) }
        if let release = options.release { payload["release"] = .string(release) }
        if let schedule {
            var config: JSONObject = ["schedule": schedule.json]
            if let marginMinutes { config["checkin_margin"] = .int(Int64(marginMinutes)) }
            if let maxRuntimeMinutes { config["max_runtime"] = .int(Int64(maxRuntimeMinutes)) }
            payload["monitor_config"] = .object(config)
        }
        return enqueue(item: payload, id: checkInID, type: "check_in")
    }

    /// Runs a scheduled job between an `in_progress` and an `ok` (or, when it throws, an
    /// `error`) check-in with its duration, so Telltale notices a run that fails, overruns or
    /// never comes. The error is rethrown.
    public func withMonitor<T>(slug: String, schedule: MonitorSchedule? = nil, isolation: isolated (any Actor)? = #isolation,
                               _ job: () async throws -> T) async throws -> T {
        let started = ContinuousClock.now
        let id = captureCheckIn(slug: slug, status: .inProgress, schedule: schedule)
        func seconds() -> TimeInterval {
            let elapsed = ContinuousClock.now - started
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
        do {
            let value = try await job()
            captureCheckIn(slug: slug, status: .ok, id: id, duration: seconds())
            return value
        } catch {
            captureCheckIn(slug: slug, status: .error, id: id, duration: seconds())
            throw error
        }
    }
}
