import Foundation
import Hummingbird
import TelltaleCore
import TelltaleMonitors

/// A monitor as the API shows it. Secrets (header values, request bodies, database passwords)
/// are never shown back: header names only, `has_body`, and a masked connection string.
struct MonitorBody: ResponseCodable {
    var id: String
    var name: String
    var type: String
    var status: String
    var component: String
    var project: String?
    var slug: String?
    var url: String?
    var method: String?
    var headerNames: [String]?
    var hasBody: Bool?
    var expectedStatus: [String]?
    var keyword: String?
    var keywordAbsent: Bool?
    var jsonPath: String?
    var jsonExpected: String?
    var followRedirects: Bool?
    var degradedAboveMs: Int?
    var certificateExpiryDays: Int?
    var host: String?
    var port: Int?
    var connectionString: String?
    var query: String?
    var schedule: String?
    var timezone: String?
    var graceSeconds: Int?
    var maxRuntimeSeconds: Int?
    var pingUrl: String?
    var intervalSeconds: Int
    var timeoutSeconds: Int
    var failureThreshold: Int
    var recoveryThreshold: Int
    var statusSince: Date
    var dateCreated: Date

    enum CodingKeys: String, CodingKey {
        case id, name, type, status, component, project, slug, url, method, keyword, host, port, query, schedule, timezone
        case headerNames = "header_names", hasBody = "has_body", expectedStatus = "expected_status", keywordAbsent = "keyword_absent"
        case jsonPath = "json_path", jsonExpected = "json_expected", followRedirects = "follow_redirects", degradedAboveMs = "degraded_above_ms"
        case certificateExpiryDays = "certificate_expiry_days", connectionString = "connection_string", graceSeconds = "grace_seconds"
        case maxRuntimeSeconds = "max_runtime_seconds", pingUrl = "ping_url", intervalSeconds = "interval_seconds", timeoutSeconds = "timeout_seconds"
        case failureThreshold = "failure_threshold", recoveryThreshold = "recovery_threshold", statusSince = "status_since", dateCreated = "date_created"
    }

    init(_ monitor: Monitor, publicURL: String) {
        id = monitor.id.description
        name = monitor.name
        type = monitor.type.rawValue
        status = monitor.state.status.rawValue
        component = monitor.component
        project = monitor.projectID?.description
        slug = monitor.slug
        intervalSeconds = monitor.intervalSeconds
        timeoutSeconds = monitor.timeoutSeconds
        failureThreshold = monitor.failureThreshold
        recoveryThreshold = monitor.recoveryThreshold
        statusSince = monitor.state.since
        dateCreated = monitor.createdAt
        switch monitor.target {
        case .http(let http):
            url = http.url
            method = http.method
            headerNames = http.headers.keys.sorted()
            hasBody = http.body != nil
            expectedStatus = http.expectedStatus.map(\.description)
            keyword = http.keyword
            keywordAbsent = http.keywordAbsent
            jsonPath = http.jsonPath
            jsonExpected = http.jsonExpected
            followRedirects = http.followRedirects
            degradedAboveMs = http.degradedAboveMilliseconds
            certificateExpiryDays = http.certificateExpiryDays
        case .tcp(let tcp):
            host = tcp.host
            port = tcp.port
        case .postgres(let postgres):
            connectionString = postgres.redactedConnection
            query = postgres.query
        case .heartbeat(let heartbeat), .cron(let heartbeat):
            schedule = heartbeat.schedule.crontab
            timezone = heartbeat.schedule.timeZoneName
            graceSeconds = heartbeat.graceSeconds
            maxRuntimeSeconds = heartbeat.maxRuntimeSeconds
            if let token = monitor.pingToken { pingUrl = "\(publicURL)/ping/\(token)" }
        }
    }
}

/// One stored result.
struct ResultBody: ResponseCodable {
    var id: String
    var checkedAt: Date
    var status: String
    var responseMs: Double?
    var statusCode: Int?
    var message: String

    enum CodingKeys: String, CodingKey {
        case id, status, message
        case checkedAt = "checked_at", responseMs = "response_ms", statusCode = "status_code"
    }

    init(_ result: MonitorResult) {
        id = String(result.id)
        checkedAt = result.checkedAt
        status = result.verdict.rawValue
        responseMs = result.responseMilliseconds
        statusCode = result.statusCode
        message = result.message
    }

    init(_ result: CheckResult) {
        id = ""
        checkedAt = result.checkedAt
        status = result.verdict.rawValue
        responseMs = result.responseMilliseconds
        statusCode = result.statusCode
        message = result.message
    }
}

/// One downtime period.
struct DowntimeBody: ResponseCodable {
    var id: String
    var start: Date
    var end: Date?
    var durationSeconds: Double
    var cause: String
    var firstResult: String?

    enum CodingKeys: String, CodingKey {
        case id, start, end, cause
        case durationSeconds = "duration_seconds", firstResult = "first_result"
    }

    init(_ downtime: Downtime, now: Date) {
        id = String(downtime.id)
        start = downtime.start
        end = downtime.end
        durationSeconds = downtime.range(now: now).duration
        cause = downtime.cause
        firstResult = downtime.firstResultID.map(String.init)
    }
}

/// `GET …/uptime/`: the seed's `calculate_uptime`.
struct UptimeBody: ResponseCodable {
    struct Period: Codable {
        var start: Date
        var end: Date
        var durationSeconds: Double
        enum CodingKeys: String, CodingKey {
            case start, end
            case durationSeconds = "duration_seconds"
        }
    }

    var uptimePercent: Double?
    var downtimeSeconds: Double
    var monitoredSeconds: Double
    var start: Date
    var end: Date
    var periods: [Period]
    var p50Ms: Double?
    var p95Ms: Double?
    var p99Ms: Double?

    enum CodingKeys: String, CodingKey {
        case start, end, periods
        case uptimePercent = "uptime_percent", downtimeSeconds = "downtime_seconds", monitoredSeconds = "monitored_seconds"
        case p50Ms = "p50_ms", p95Ms = "p95_ms", p99Ms = "p99_ms"
    }

    init(_ report: UptimeReport, percentiles: ResponsePercentiles) {
        uptimePercent = report.uptimePercent
        downtimeSeconds = report.downtimeSeconds
        monitoredSeconds = report.monitoredSeconds
        start = report.window.start
        end = report.window.end
        periods = report.periods.map { Period(start: $0.start, end: $0.end, durationSeconds: $0.duration) }
        p50Ms = percentiles.p50
        p95Ms = percentiles.p95
        p99Ms = percentiles.p99
    }
}

/// `GET …/health/`: every monitor's state and the overall status.
struct HealthBody: ResponseCodable {
    struct Entry: Codable {
        var id: String
        var name: String
        var type: String
        var component: String
        var status: String
        var since: Date
    }

    var status: String
    var counts: [String: Int]
    var monitors: [Entry]
}

/// `POST …/health/run`.
struct RunBody: Decodable {
    var monitors: [String]
}

struct RunResultBody: ResponseCodable {
    var monitor: String
    var name: String
    var result: ResultBody
}
