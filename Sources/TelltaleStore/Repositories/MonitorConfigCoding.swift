import Foundation
import Synchronization
import TelltaleCore

/// Stores a monitor's type-specific settings (and a maintenance schedule) as one JSON column.
enum MonitorConfigCoding {
    struct Record: Codable {
        var method: String?
        var url: String?
        var headers: [String: String]?
        var body: String?
        var expectedStatus: [StatusCodeRange]?
        var keyword: String?
        var keywordAbsent: Bool?
        var jsonPath: String?
        var jsonExpected: String?
        var followRedirects: Bool?
        var degradedAboveMilliseconds: Int?
        var certificateExpiryDays: Int?
        var host: String?
        var port: Int?
        var connection: String?
        var query: String?
        var scheduleInterval: Int?
        var crontab: String?
        var timezone: String?
        var graceSeconds: Int?
        var maxRuntimeSeconds: Int?
    }

    static func encode(_ target: MonitorTarget) -> String {
        var record = Record()
        switch target {
        case .http(let http):
            record.method = http.method
            record.url = http.url
            record.headers = http.headers
            record.body = http.body
            record.expectedStatus = http.expectedStatus
            record.keyword = http.keyword
            record.keywordAbsent = http.keywordAbsent
            record.jsonPath = http.jsonPath
            record.jsonExpected = http.jsonExpected
            record.followRedirects = http.followRedirects
            record.degradedAboveMilliseconds = http.degradedAboveMilliseconds
            record.certificateExpiryDays = http.certificateExpiryDays
        case .tcp(let tcp):
            record.host = tcp.host
            record.port = tcp.port
        case .postgres(let postgres):
            record.connection = postgres.connection
            record.query = postgres.query
        case .heartbeat(let heartbeat), .cron(let heartbeat):
            switch heartbeat.schedule {
            case .interval(let seconds): record.scheduleInterval = seconds
            case .cron(let cron, let zone):
                record.crontab = cron.expression
                record.timezone = zone.identifier
            }
            record.graceSeconds = heartbeat.graceSeconds
            record.maxRuntimeSeconds = heartbeat.maxRuntimeSeconds
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(record)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// Decoded settings by their stored text: rows are read far more often than settings
    /// change (every ping and every check reads its monitor), and JSON decoding was a
    /// twentieth of the ping path's CPU.
    static let decoded = Mutex<[String: MonitorTarget]>([:])
    static let decodedLimit = 20_000

    /// Cached by the stored (sealed) text, so a monitor read again is neither opened nor decoded again.
    static func decodeCached(type: String, config: String, open: (String) throws -> String) throws -> MonitorTarget {
        let key = type + "\u{0}" + config
        if let target = decoded.withLock({ $0[key] }) { return target }
        let target = try decode(type: type, config: try open(config))
        decoded.withLock { cache in
            if cache.count >= decodedLimit { cache.removeAll(keepingCapacity: true) }
            cache[key] = target
        }
        return target
    }

    static func decode(type: String, config: String) throws -> MonitorTarget {
        let record = try JSONDecoder().decode(Record.self, from: Data(config.utf8))
        switch MonitorType(rawValue: type) {
        case .http:
            return .http(try HTTPTarget(method: record.method ?? "GET", url: record.url ?? "", headers: record.headers ?? [:], body: record.body,
                                        expectedStatus: record.expectedStatus ?? [StatusCodeRange(200...399)], keyword: record.keyword,
                                        keywordAbsent: record.keywordAbsent ?? false, jsonPath: record.jsonPath, jsonExpected: record.jsonExpected,
                                        followRedirects: record.followRedirects ?? true, degradedAboveMilliseconds: record.degradedAboveMilliseconds,
                                        certificateExpiryDays: record.certificateExpiryDays ?? 14))
        case .tcp:
            return .tcp(try TCPTarget(host: record.host ?? "", port: record.port ?? 0))
        case .postgres:
            return .postgres(try PostgresTarget(connection: record.connection ?? "", query: record.query))
        case .heartbeat:
            return .heartbeat(try heartbeat(record))
        case .cron:
            return .cron(try heartbeat(record))
        case nil:
            throw DomainError.invalid(ValidationError(field: "type", reason: "'\(type)' is not a monitor type"))
        }
    }

    private static func heartbeat(_ record: Record) throws -> HeartbeatTarget {
        let schedule: HeartbeatSchedule
        if let crontab = record.crontab {
            schedule = .cron(try CronSchedule(crontab), try TimeZone.named(record.timezone ?? "UTC"))
        } else {
            schedule = .interval(seconds: record.scheduleInterval ?? 60)
        }
        return try HeartbeatTarget(schedule: schedule, graceSeconds: record.graceSeconds ?? 60, maxRuntimeSeconds: record.maxRuntimeSeconds)
    }

    struct ScheduleRecord: Codable {
        var kind: String
        var start: Int64?
        var end: Int64?
        var days: [Int]?
        var startMinute: Int?
        var durationMinutes: Int?
        var crontab: String?
        var timezone: String?
    }

    static func encode(_ schedule: MaintenanceSchedule) -> String {
        let record: ScheduleRecord
        switch schedule {
        case .once(let range):
            record = ScheduleRecord(kind: "once", start: range.start.millisecondsSince1970, end: range.end.millisecondsSince1970)
        case .weekly(let days, let startMinute, let durationMinutes, let zone):
            record = ScheduleRecord(kind: "weekly", days: days.sorted(), startMinute: startMinute, durationMinutes: durationMinutes, timezone: zone.identifier)
        case .cron(let cron, let durationMinutes, let zone):
            record = ScheduleRecord(kind: "cron", durationMinutes: durationMinutes, crontab: cron.expression, timezone: zone.identifier)
        }
        return String(decoding: (try? JSONEncoder().encode(record)) ?? Data("{}".utf8), as: UTF8.self)
    }

    static func decodeSchedule(_ text: String) throws -> MaintenanceSchedule {
        let record = try JSONDecoder().decode(ScheduleRecord.self, from: Data(text.utf8))
        let zone = try TimeZone.named(record.timezone ?? "UTC")
        switch record.kind {
        case "weekly":
            return .weekly(days: Set(record.days ?? []), startMinute: record.startMinute ?? 0, durationMinutes: record.durationMinutes ?? 60, timeZone: zone)
        case "cron":
            return .cron(try CronSchedule(record.crontab ?? ""), durationMinutes: record.durationMinutes ?? 60, timeZone: zone)
        default:
            return .once(TimeRange(start: Date(millisecondsSince1970: record.start ?? 0), end: Date(millisecondsSince1970: record.end ?? 0)))
        }
    }
}
