import Foundation
public import TelltaleCore

/// What creates or replaces a monitor: the common fields plus those of its type, as the API's
/// JSON body (snake_case keys) and the dashboard's form both give them.
public struct MonitorSpec: Decodable, Sendable {
    public var name: String
    public var type: String
    public var component: String?
    public var project: String?
    public var paused: Bool?
    public var url: String?
    public var method: String?
    public var headers: [String: String]?
    public var body: String?
    public var expectedStatus: [String]?
    public var keyword: String?
    public var keywordAbsent: Bool?
    public var jsonPath: String?
    public var jsonExpected: String?
    public var followRedirects: Bool?
    public var degradedAboveMs: Int?
    public var certificateExpiryDays: Int?
    public var host: String?
    public var port: Int?
    public var connectionString: String?
    public var query: String?
    public var schedule: String?
    public var timezone: String?
    public var graceSeconds: Int?
    public var maxRuntimeSeconds: Int?
    public var intervalSeconds: Int?
    public var timeoutSeconds: Int?
    public var failureThreshold: Int?
    public var recoveryThreshold: Int?

    enum CodingKeys: String, CodingKey {
        case name, type, component, project, paused, url, method, headers, body, keyword, host, port, query, schedule, timezone
        case expectedStatus = "expected_status", keywordAbsent = "keyword_absent", jsonPath = "json_path", jsonExpected = "json_expected"
        case followRedirects = "follow_redirects", degradedAboveMs = "degraded_above_ms", certificateExpiryDays = "certificate_expiry_days"
        case connectionString = "connection_string", graceSeconds = "grace_seconds", maxRuntimeSeconds = "max_runtime_seconds"
        case intervalSeconds = "interval_seconds", timeoutSeconds = "timeout_seconds", failureThreshold = "failure_threshold"
        case recoveryThreshold = "recovery_threshold"
    }

    /// An empty spec of `type`, for forms to fill in.
    public init(name: String, type: String) {
        self.name = name
        self.type = type
    }

    /// The validated draft; `existing` supplies secrets left out of an edit (so an edit need not resend them).
    public func draft(projectID: ProjectID?, existing: Monitor? = nil) throws -> MonitorDraft {
        guard let type = MonitorType(rawValue: type) else {
            throw ValidationError(field: "type", reason: "must be one of \(MonitorType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let target: MonitorTarget
        let interval = intervalSeconds ?? 60
        switch type {
        case .http:
            var previous: HTTPTarget?
            if case .http(let old)? = existing?.target { previous = old }
            target = .http(try HTTPTarget(
                method: method ?? "GET", url: url ?? "", headers: headers ?? previous?.headers ?? [:], body: body ?? previous?.body,
                expectedStatus: try (expectedStatus ?? ["200-399"]).map(StatusCodeRange.init(parsing:)),
                keyword: keyword, keywordAbsent: keywordAbsent ?? false, jsonPath: jsonPath, jsonExpected: jsonExpected,
                followRedirects: followRedirects ?? true, degradedAboveMilliseconds: degradedAboveMs, certificateExpiryDays: certificateExpiryDays ?? 14))
        case .tcp:
            target = .tcp(try TCPTarget(host: host ?? "", port: port ?? 0))
        case .postgres:
            var connection = connectionString ?? ""
            if case .postgres(let old)? = existing?.target, connection.isEmpty || connection == old.redactedConnection { connection = old.connection }
            target = .postgres(try PostgresTarget(connection: connection, query: query))
        case .heartbeat, .cron:
            let heartbeat: HeartbeatSchedule
            if let schedule, !schedule.isEmpty {
                heartbeat = .cron(try CronSchedule(schedule), try TimeZone.named(timezone ?? "UTC"))
            } else {
                heartbeat = .interval(seconds: interval)
            }
            let settings = try HeartbeatTarget(schedule: heartbeat, graceSeconds: graceSeconds ?? 60, maxRuntimeSeconds: maxRuntimeSeconds)
            target = type == .cron ? .cron(settings) : .heartbeat(settings)
        }
        return try MonitorDraft(projectID: projectID, name: name, component: component, slug: existing?.slug, target: target,
                                intervalSeconds: interval, timeoutSeconds: timeoutSeconds, failureThreshold: failureThreshold ?? 1,
                                recoveryThreshold: recoveryThreshold ?? 1, paused: paused ?? existing?.isPaused ?? false)
    }
}

