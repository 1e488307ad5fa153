import Foundation

/// The runbook as the API and the database hold it: `{"name", "description", "steps": [{"type": "http", "method", "url",
/// "headers", "body", "timeout_seconds", "retries", "expect_status": [200], "expect_body"} | {"type": "wait_for_monitor",
/// "monitor", "status", "timeout_seconds"} | {"type": "wait_for_quiet", "issue", "quiet_seconds", "timeout_seconds"} |
/// {"type": "note", "text"} | {"type": "resolve_incident"}]}`.
extension RunbookDraft: Codable {
    enum CodingKeys: String, CodingKey { case name, description, steps }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(name: try c.decodeIfPresent(String.self, forKey: .name) ?? "",
                      description: String((try c.decodeIfPresent(String.self, forKey: .description) ?? "").prefix(5_000)),
                      steps: try c.decodeIfPresent([RunbookStep].self, forKey: .steps) ?? [])
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(description, forKey: .description)
        try c.encode(steps, forKey: .steps)
    }
}

extension RunbookStep: Codable {
    enum CodingKeys: String, CodingKey {
        case type, method, url, headers, body, timeoutSeconds = "timeout_seconds", retries, expectStatus = "expect_status", expectBody = "expect_body",
             monitor, status, issue, quietSeconds = "quiet_seconds", text, secret
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func id(_ key: CodingKeys) throws -> Int64? { try c.decodeID(forKey: key, field: "steps.\(key.stringValue)") }
        func timeout(_ fallback: Int) throws -> Int {
            let seconds = try c.decodeIfPresent(Int.self, forKey: .timeoutSeconds) ?? fallback
            guard (1...86_400).contains(seconds) else { throw ValidationError(field: "steps.timeout_seconds", reason: "must be 1 to 86400") }
            return seconds
        }
        switch try c.decodeIfPresent(String.self, forKey: .type) ?? "" {
        case "http":
            self = .http(try HTTPCall(method: try c.decodeIfPresent(String.self, forKey: .method) ?? "POST", url: try c.decodeIfPresent(String.self, forKey: .url) ?? "",
                                      headers: try c.decodeIfPresent([String: String].self, forKey: .headers) ?? [:],
                                      body: try c.decodeIfPresent(String.self, forKey: .body), timeoutSeconds: try c.decodeIfPresent(Int.self, forKey: .timeoutSeconds) ?? 10,
                                      retries: try c.decodeIfPresent(Int.self, forKey: .retries) ?? 0,
                                      expectStatus: try c.decodeIfPresent([Int].self, forKey: .expectStatus) ?? [200],
                                      expectBody: try c.decodeIfPresent(String.self, forKey: .expectBody),
                                      secret: try c.decodeIfPresent(String.self, forKey: .secret)))
        case "wait_for_monitor":
            guard let monitor = try id(.monitor) else { throw ValidationError(field: "steps.monitor", reason: "wait_for_monitor needs a monitor id") }
            let name = try c.decodeIfPresent(String.self, forKey: .status) ?? "up"
            guard let status = MonitorStatus(rawValue: name) else { throw ValidationError(field: "steps.status", reason: "must be a monitor status such as up") }
            self = .waitForMonitor(monitor: MonitorID(monitor), status: status, timeoutSeconds: try timeout(300))
        case "wait_for_quiet":
            let quiet = try c.decodeIfPresent(Int.self, forKey: .quietSeconds) ?? 300
            guard (1...86_400).contains(quiet) else { throw ValidationError(field: "steps.quiet_seconds", reason: "must be 1 to 86400") }
            self = .waitForQuiet(issue: try id(.issue), quietSeconds: quiet, timeoutSeconds: try timeout(max(600, quiet * 2)))
        case "note":
            let text = (try c.decodeIfPresent(String.self, forKey: .text) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard (1...10_000).contains(text.count) else { throw ValidationError(field: "steps.text", reason: "a note needs 1 to 10000 characters") }
            self = .note(text: text)
        case "resolve_incident":
            self = .resolveIncident
        case let other:
            throw ValidationError(field: "steps.type", reason: "'\(other)' is not a step type; known: http, wait_for_monitor, wait_for_quiet, note, resolve_incident")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(typeName, forKey: .type)
        switch self {
        case .http(let call):
            try c.encode(call.method, forKey: .method)
            try c.encode(call.url, forKey: .url)
            try c.encode(call.headers, forKey: .headers)
            try c.encodeIfPresent(call.body, forKey: .body)
            try c.encode(call.timeoutSeconds, forKey: .timeoutSeconds)
            try c.encode(call.retries, forKey: .retries)
            try c.encode(call.expectStatus, forKey: .expectStatus)
            try c.encodeIfPresent(call.expectBody, forKey: .expectBody)
            try c.encodeIfPresent(call.secret, forKey: .secret)
        case .waitForMonitor(let monitor, let status, let timeout):
            try c.encode(monitor.description, forKey: .monitor)
            try c.encode(status.rawValue, forKey: .status)
            try c.encode(timeout, forKey: .timeoutSeconds)
        case .waitForQuiet(let issue, let quiet, let timeout):
            try c.encodeIfPresent(issue.map(String.init), forKey: .issue)
            try c.encode(quiet, forKey: .quietSeconds)
            try c.encode(timeout, forKey: .timeoutSeconds)
        case .note(let text):
            try c.encode(text, forKey: .text)
        case .resolveIncident:
            break
        }
    }
}

/// Runbooks to start from: the integration guide's database retry with exponential backoff
/// and circuit-breaker reset. Their URLs point at the service's own admin endpoints.
public enum RunbookTemplates {
    public static func all(serviceURL: String = "http://127.0.0.1:8080", monitor: MonitorID? = nil) throws -> [RunbookDraft] {
        var retry: [RunbookStep] = [
            .http(try .init(method: "POST", url: "\(serviceURL)/admin/database/reconnect", body: #"{"incident": "{{incident.id}}", "reason": "{{incident.title}}"}"#,
                            timeoutSeconds: 10, retries: 3, expectStatus: [200, 204])),
        ]
        var breaker: [RunbookStep] = [
            .http(try .init(method: "POST", url: "\(serviceURL)/admin/circuit-breakers/reset", body: #"{"incident": "{{incident.id}}"}"#,
                            timeoutSeconds: 5, retries: 1, expectStatus: [200, 204])),
        ]
        if let monitor {
            retry.append(.waitForMonitor(monitor: monitor, status: .up, timeoutSeconds: 300))
            breaker.append(.waitForMonitor(monitor: monitor, status: .up, timeoutSeconds: 120))
        }
        retry += [.note(text: "The database connection was re-established by the runbook."), .resolveIncident]
        breaker += [.note(text: "The circuit breaker was reset by the runbook."), .resolveIncident]
        return [try RunbookDraft(name: "Database retry with exponential backoff", description: "Asks the service to reconnect to its database, up to 3 retries 1 s, 2 s, 4 s apart, then waits for its monitor.", steps: retry),
                try RunbookDraft(name: "Circuit breaker reset", description: "Resets the service's circuit breakers, then waits for its monitor.", steps: breaker)]
    }
}
