/// What makes a rule fire. Stored as JSON with a `type`, so new kinds (spikes, latency) are
/// added without a schema change; an unknown type is refused when a rule is saved.
public enum AlertCondition: Sendable, Hashable {
    /// An event opened a new issue.
    case newIssue
    /// An event reopened a resolved issue.
    case regression
    /// The issue was seen more than `count` times within `windowSeconds`.
    case frequency(count: Int, windowSeconds: Int)
    /// The issue was seen by more than `count` users within `windowSeconds`.
    case userFrequency(count: Int, windowSeconds: Int)
    /// The project received more than `perMinute` events in the last minute.
    case errorRate(perMinute: Int)
    /// An event at or above `level`.
    case level(atLeast: EventLevel)
    /// An alert whose severity (after the calendar) is at or above `atLeast`.
    case severity(atLeast: AlertSeverity)
    /// An event of an issue classified at or above `atLeast`.
    case issueSeverity(atLeast: IssueSeverity)
    /// A monitor went to `status` (`up` means recovered from down).
    case monitorStatus(MonitorStatus)
    /// A heartbeat or cron monitor's run was missed, failed, or either.
    case heartbeat(Heartbeat)
    /// A user reported a problem (fires once user reports exist).
    case userReport
    /// The detectors found a spike in an issue's error rate, a project's, or either.
    case spikeDetected(SpikeScope)
    /// The detectors found a recurring pattern for the first time.
    case patternDetected
    /// A transaction's p95 regressed against the same hour last week.
    case regressionDetected
    /// A transaction's latency or Apdex, or a page's web vital, crossed a threshold
    /// (`latency_threshold`, `apdex_below`, `web_vital_poor`).
    case performance(PerformanceWatch)
    /// The organization's issues put more than `amount` (its currency) at risk within
    /// `windowSeconds` (the seed's `REVENUE_IMPACT_ALERT_THRESHOLD`).
    case revenueAtRisk(amount: Double, windowSeconds: Int)
    /// Free space on the database's disk (SQLite) fell under `freeBytes`: a warning before
    /// the disk fills and ingest has to refuse events.
    case diskSpaceLow(freeBytes: Int64)

    public enum SpikeScope: String, Sendable, Hashable, Codable { case issue, project, any }

    public enum Heartbeat: String, Sendable, Hashable, Codable { case missed, failed, any }

    /// The `type` names of every kind, as the API spells them.
    public static let typeNames = ["new_issue", "regression", "frequency", "user_frequency", "error_rate", "level", "severity", "issue_severity",
                                   "monitor_status", "heartbeat", "user_report", "spike_detected", "pattern_detected",
                                   "regression_detected", "latency_threshold", "apdex_below", "web_vital_poor",
                                   "revenue_at_risk", "disk_space_low"]

    /// Whether the condition holds for `signal` with `facts`, at `severity`.
    public func holds(for signal: AlertSignal, facts: SignalFacts, severity: AlertSeverity) -> Bool {
        holds(SignalTraits(signal), facts: facts, severity: severity)
    }

    /// Whether the condition holds for a signal's traits with `facts`, at `severity`.
    public func holds(_ signal: SignalTraits, facts: SignalFacts, severity: AlertSeverity) -> Bool {
        switch self {
        case .newIssue: signal.kind == .event && signal.isNewIssue
        case .regression: signal.kind == .event && signal.isRegression
        case .frequency(let count, let window): signal.kind == .event && (facts.issueEvents[window] ?? 0) > count
        case .userFrequency(let count, let window): signal.kind == .event && (facts.issueUsers[window] ?? 0) > count
        case .errorRate(let perMinute): signal.kind == .event && facts.projectEventsLastMinute > perMinute
        case .level(let atLeast): signal.kind == .event && signal.level >= atLeast
        case .severity(let atLeast): signal.kind != .issueResolved && severity >= atLeast
        case .issueSeverity(let atLeast): signal.kind == .event && (signal.issueSeverity.map { $0 >= atLeast } ?? false)
        case .monitorStatus(let status):
            signal.kind == .monitor && (status == .up ? signal.to == .up && signal.from == .down : signal.to == status)
        case .heartbeat(let kind):
            signal.kind == .monitor && (signal.monitorType == .heartbeat || signal.monitorType == .cron) && signal.to == .down
                && (kind == .any || (kind == .missed) == signal.isMissedRun)
        case .userReport: signal.kind == .detection && signal.detectionKind == .userReport
        case .spikeDetected(let scope):
            signal.kind == .detection && signal.detectionKind == .spike
                && (scope == .any || (scope == .issue) == (signal.detectionIssue != nil))
        case .patternDetected: signal.kind == .detection && signal.detectionKind == .pattern
        case .regressionDetected: signal.kind == .detection && signal.detectionKind == .regression
        // The job judged the threshold; its detection is addressed to this rule (RuleEngine).
        case .performance, .revenueAtRisk, .diskSpaceLow: signal.kind == .detection && signal.detectionKind == .threshold
        }
    }

    /// Windows of the counts the condition needs, so the evaluator reads only those.
    public var eventWindow: Int? {
        switch self {
        case .frequency(_, let window), .userFrequency(_, let window): window
        default: nil
        }
    }
}

extension AlertCondition: Codable {
    enum CodingKeys: String, CodingKey {
        case type, count, windowSeconds = "window_seconds", perMinute = "per_minute", atLeast = "at_least", status, run, scope, amount, freeBytes = "free_bytes"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(String.self, forKey: .type)
        func positive(_ key: CodingKeys, _ name: String) throws -> Int {
            guard let value = try c.decodeIfPresent(Int.self, forKey: key), value > 0 else {
                throw ValidationError(field: "conditions", reason: "\(type) needs a positive \(name)")
            }
            return value
        }
        switch type {
        case "new_issue": self = .newIssue
        case "regression": self = .regression
        case "frequency", "user_frequency":
            let count = try positive(.count, "count"), window = try positive(.windowSeconds, "window_seconds")
            guard window <= 7 * 86_400 else { throw ValidationError(field: "conditions", reason: "window_seconds must be at most 7 days") }
            self = type == "frequency" ? .frequency(count: count, windowSeconds: window) : .userFrequency(count: count, windowSeconds: window)
        case "error_rate": self = .errorRate(perMinute: try positive(.perMinute, "per_minute"))
        case "level":
            guard let level = try c.decodeIfPresent(String.self, forKey: .atLeast).flatMap(EventLevel.init(rawValue:)) else {
                throw ValidationError(field: "conditions", reason: "level needs at_least: debug, info, warning, error or fatal")
            }
            self = .level(atLeast: level)
        case "severity":
            guard let severity = try c.decodeIfPresent(String.self, forKey: .atLeast).flatMap(AlertSeverity.init(rawValue:)) else {
                throw ValidationError(field: "conditions", reason: "severity needs at_least: info, low, medium, high or critical")
            }
            self = .severity(atLeast: severity)
        case "issue_severity":
            guard let severity = try c.decodeIfPresent(String.self, forKey: .atLeast).flatMap(IssueSeverity.init(rawValue:)) else {
                throw ValidationError(field: "conditions", reason: "issue_severity needs at_least: info, low, medium, high or critical")
            }
            self = .issueSeverity(atLeast: severity)
        case "monitor_status":
            guard let status = try c.decodeIfPresent(String.self, forKey: .status).flatMap(MonitorStatus.init(rawValue:)),
                  [.down, .degraded, .up].contains(status) else {
                throw ValidationError(field: "conditions", reason: "monitor_status needs status: down, degraded or up (recovered)")
            }
            self = .monitorStatus(status)
        case "heartbeat":
            let run = try c.decodeIfPresent(String.self, forKey: .run) ?? "any"
            guard let kind = Heartbeat(rawValue: run) else { throw ValidationError(field: "conditions", reason: "heartbeat run must be missed, failed or any") }
            self = .heartbeat(kind)
        case "user_report": self = .userReport
        case "spike_detected":
            let scope = try c.decodeIfPresent(String.self, forKey: .scope) ?? "issue"
            guard let value = SpikeScope(rawValue: scope) else { throw ValidationError(field: "conditions", reason: "spike_detected scope must be issue, project or any") }
            self = .spikeDetected(value)
        case "pattern_detected": self = .patternDetected
        case "regression_detected": self = .regressionDetected
        case "latency_threshold", "apdex_below", "web_vital_poor": self = .performance(try PerformanceWatch(type: type, from: decoder))
        case "revenue_at_risk":
            guard let amount = try c.decodeIfPresent(Double.self, forKey: .amount), amount > 0, amount.isFinite else {
                throw ValidationError(field: "conditions", reason: "revenue_at_risk needs a positive amount")
            }
            let window = try c.decodeIfPresent(Int.self, forKey: .windowSeconds) ?? 3_600
            guard (300...30 * 86_400).contains(window) else { throw ValidationError(field: "conditions", reason: "revenue_at_risk window_seconds must be 300 to 2592000") }
            self = .revenueAtRisk(amount: amount, windowSeconds: window)
        case "disk_space_low":
            guard let bytes = try c.decodeIfPresent(Int64.self, forKey: .freeBytes), bytes > 0 else {
                throw ValidationError(field: "conditions", reason: "disk_space_low needs free_bytes, a positive number of bytes")
            }
            self = .diskSpaceLow(freeBytes: bytes)
        default:
            throw ValidationError(field: "conditions", reason: "has an unknown type '\(type)'; known: \(Self.typeNames.joined(separator: ", "))")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .newIssue: try c.encode("new_issue", forKey: .type)
        case .regression: try c.encode("regression", forKey: .type)
        case .frequency(let count, let window), .userFrequency(let count, let window):
            try c.encode(self == .frequency(count: count, windowSeconds: window) ? "frequency" : "user_frequency", forKey: .type)
            try c.encode(count, forKey: .count)
            try c.encode(window, forKey: .windowSeconds)
        case .errorRate(let perMinute):
            try c.encode("error_rate", forKey: .type)
            try c.encode(perMinute, forKey: .perMinute)
        case .level(let level):
            try c.encode("level", forKey: .type)
            try c.encode(level.rawValue, forKey: .atLeast)
        case .severity(let severity):
            try c.encode("severity", forKey: .type)
            try c.encode(severity.rawValue, forKey: .atLeast)
        case .issueSeverity(let severity):
            try c.encode("issue_severity", forKey: .type)
            try c.encode(severity.rawValue, forKey: .atLeast)
        case .monitorStatus(let status):
            try c.encode("monitor_status", forKey: .type)
            try c.encode(status.rawValue, forKey: .status)
        case .heartbeat(let kind):
            try c.encode("heartbeat", forKey: .type)
            try c.encode(kind.rawValue, forKey: .run)
        case .userReport: try c.encode("user_report", forKey: .type)
        case .spikeDetected(let scope):
            try c.encode("spike_detected", forKey: .type)
            try c.encode(scope.rawValue, forKey: .scope)
        case .patternDetected: try c.encode("pattern_detected", forKey: .type)
        case .regressionDetected: try c.encode("regression_detected", forKey: .type)
        case .performance(let watch):
            try c.encode(watch.typeName, forKey: .type)
            try watch.encode(into: encoder)
        case .revenueAtRisk(let amount, let window):
            try c.encode("revenue_at_risk", forKey: .type)
            try c.encode(amount, forKey: .amount)
            try c.encode(window, forKey: .windowSeconds)
        case .diskSpaceLow(let bytes):
            try c.encode("disk_space_low", forKey: .type)
            try c.encode(bytes, forKey: .freeBytes)
        }
    }
}
