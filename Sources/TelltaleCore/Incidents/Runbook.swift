public import Foundation

public typealias RunbookID = Identifier<Runbook>
public typealias RunbookRunID = Identifier<RunbookRun>

/// A named, ordered list of actions that try to resolve a problem without a person: call a
/// service, wait for a monitor to recover or an issue to go quiet, write a note, resolve.
public struct Runbook: Sendable, Hashable {
    public var id: RunbookID
    public var organizationID: OrganizationID
    public var draft: RunbookDraft

    public init(id: RunbookID, organizationID: OrganizationID, draft: RunbookDraft) {
        self.id = id
        self.organizationID = organizationID
        self.draft = draft
    }
}

public struct RunbookDraft: Sendable, Hashable {
    public var name: String
    public var description: String
    public var steps: [RunbookStep]

    public init(name: String, description: String = "", steps: [RunbookStep]) throws {
        self.name = name.trimmingCharacters(in: .whitespaces)
        self.description = description
        self.steps = steps
        guard (1...200).contains(self.name.count) else { throw ValidationError(field: "name", reason: "must be 1 to 200 characters") }
        guard (1...30).contains(steps.count) else { throw ValidationError(field: "steps", reason: "must have 1 to 30 steps") }
    }
}

public enum RunbookStep: Sendable, Hashable {
    /// An HTTP call, signed like webhooks, retried with exponential backoff until its status
    /// is one of `expectStatus` (and its body contains `expectBody`, when given).
    case http(HTTPCall)
    /// Re-checks a monitor until it reaches `status`, failing after `timeoutSeconds`.
    case waitForMonitor(monitor: MonitorID, status: MonitorStatus, timeoutSeconds: Int)
    /// Watches an issue (or the incident's linked issues) until it has had no event for
    /// `quietSeconds`, failing after `timeoutSeconds`.
    case waitForQuiet(issue: Int64?, quietSeconds: Int, timeoutSeconds: Int)
    /// Posts a note on the incident.
    case note(text: String)
    /// Resolves the incident: reached only when every earlier step succeeded.
    case resolveIncident

    public var typeName: String {
        switch self {
        case .http: "http"
        case .waitForMonitor: "wait_for_monitor"
        case .waitForQuiet: "wait_for_quiet"
        case .note: "note"
        case .resolveIncident: "resolve_incident"
        }
    }

    public struct HTTPCall: Sendable, Hashable {
        public var method: String
        public var url: String
        /// Header values are secrets: stored encrypted, never shown back.
        public var headers: [String: String]
        /// A Mustache template with the incident, issue and monitor fields.
        public var body: String?
        public var timeoutSeconds: Int
        public var retries: Int
        public var expectStatus: [Int]
        public var expectBody: String?
        /// Signs the request like webhooks (`X-Telltale-Signature`); a secret, stored encrypted.
        public var secret: String?

        public init(method: String = "POST", url: String, headers: [String: String] = [:], body: String? = nil, timeoutSeconds: Int = 10, retries: Int = 0,
                    expectStatus: [Int] = [200], expectBody: String? = nil, secret: String? = nil) throws {
            let method = method.uppercased()
            guard ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(method) else {
                throw ValidationError(field: "steps.method", reason: "must be GET, POST, PUT, PATCH or DELETE")
            }
            guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https", parsed.host?.isEmpty == false else {
                throw ValidationError(field: "steps.url", reason: "must be an http or https URL")
            }
            guard (1...300).contains(timeoutSeconds) else { throw ValidationError(field: "steps.timeout_seconds", reason: "must be 1 to 300") }
            guard (0...10).contains(retries) else { throw ValidationError(field: "steps.retries", reason: "must be 0 to 10") }
            guard !expectStatus.isEmpty, expectStatus.allSatisfy({ (100...599).contains($0) }) else {
                throw ValidationError(field: "steps.expect_status", reason: "must list HTTP status codes")
            }
            for name in headers.keys where name.isEmpty || name.contains(where: { $0 == ":" || $0 == "\r" || $0 == "\n" || $0 == " " }) {
                throw ValidationError(field: "steps.headers", reason: "has an invalid header name '\(name)'")
            }
            for value in headers.values where value.contains(where: { $0 == "\r" || $0 == "\n" }) {
                throw ValidationError(field: "steps.headers", reason: "values cannot contain line breaks")
            }
            self.method = method
            self.url = url
            self.headers = headers
            self.body = body
            self.timeoutSeconds = timeoutSeconds
            self.retries = retries
            self.expectStatus = expectStatus
            self.expectBody = expectBody
            self.secret = secret
        }
    }
}

/// A run of a runbook, step by step.
public struct RunbookRun: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, Codable { case queued, running, succeeded, failed }

    public struct StepResult: Sendable, Hashable, Codable {
        public var index: Int
        public var type: String
        public var succeeded: Bool
        public var startedAt: Date
        public var finishedAt: Date
        public var attempts: Int
        public var detail: String

        public init(index: Int, type: String, succeeded: Bool, startedAt: Date, finishedAt: Date, attempts: Int, detail: String) {
            self.index = index
            self.type = type
            self.succeeded = succeeded
            self.startedAt = startedAt
            self.finishedAt = finishedAt
            self.attempts = attempts
            self.detail = detail
        }

        enum CodingKeys: String, CodingKey { case index, type, succeeded, startedAt = "started_at", finishedAt = "finished_at", attempts, detail }
    }

    public var id: RunbookRunID
    public var runbookID: RunbookID
    public var organizationID: OrganizationID
    public var incidentID: IncidentID?
    /// `manual:<user>`, `rule:<id>`, `policy:<id>`, or `dry-run`.
    public var trigger: String
    public var status: Status
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    public var steps: [StepResult]
    /// Values for the body templates (a dry run's test payload, or the incident's fields).
    public var payload: [String: String]

    public init(id: RunbookRunID, runbookID: RunbookID, organizationID: OrganizationID, incidentID: IncidentID?, trigger: String, status: Status,
                createdAt: Date, startedAt: Date? = nil, finishedAt: Date? = nil, steps: [StepResult] = [], payload: [String: String] = [:]) {
        self.id = id
        self.runbookID = runbookID
        self.organizationID = organizationID
        self.incidentID = incidentID
        self.trigger = trigger
        self.status = status
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.steps = steps
        self.payload = payload
    }
}

/// Retry timing for HTTP steps: 1 s, 2 s, 4 s… (times `base`), capped at a minute.
public enum RunbookBackoff {
    public static func delay(afterAttempt attempt: Int, base: Double) -> Double {
        min(60, base * pow(2, Double(max(0, attempt - 1))))
    }
}
