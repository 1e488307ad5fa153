public import Foundation

/// What a monitor checks, by type. Secrets (header values, bodies, database passwords) are
/// kept here and never shown back: see ``redacted``.
public enum MonitorTarget: Sendable, Hashable {
    case http(HTTPTarget)
    case tcp(TCPTarget)
    case postgres(PostgresTarget)
    case heartbeat(HeartbeatTarget)
    case cron(HeartbeatTarget)

    public var type: MonitorType {
        switch self {
        case .http: .http
        case .tcp: .tcp
        case .postgres: .postgres
        case .heartbeat: .heartbeat
        case .cron: .cron
        }
    }

    /// The schedule of a push monitor.
    public var heartbeat: HeartbeatTarget? {
        switch self {
        case .heartbeat(let target), .cron(let target): target
        default: nil
        }
    }
}

/// An HTTP(S) check.
public struct HTTPTarget: Sendable, Hashable, Codable {
    public var method: String
    public var url: String
    /// Sent with the request; values are secrets.
    public var headers: [String: String]
    /// Sent with the request; a secret.
    public var body: String?
    /// Accepted status codes: single codes and ranges such as `200-299`.
    public var expectedStatus: [StatusCodeRange]
    /// Text that must (or, with `keywordAbsent`, must not) appear in the body.
    public var keyword: String?
    public var keywordAbsent: Bool
    /// A JSON path (`$.status`, `$.checks[0].ok`) whose value must equal `jsonExpected`.
    public var jsonPath: String?
    public var jsonExpected: String?
    public var followRedirects: Bool
    /// Slower than this is `degraded`.
    public var degradedAboveMilliseconds: Int?
    /// A certificate expiring within this many days is `degraded` (expired is `down`).
    public var certificateExpiryDays: Int

    public init(method: String = "GET", url: String, headers: [String: String] = [:], body: String? = nil,
                expectedStatus: [StatusCodeRange] = [StatusCodeRange(200...399)], keyword: String? = nil, keywordAbsent: Bool = false,
                jsonPath: String? = nil, jsonExpected: String? = nil, followRedirects: Bool = true,
                degradedAboveMilliseconds: Int? = nil, certificateExpiryDays: Int = 14) throws {
        let verb = method.uppercased()
        guard ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"].contains(verb) else {
            throw ValidationError(field: "method", reason: "must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS")
        }
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = parsed.host, !host.isEmpty else {
            throw ValidationError(field: "url", reason: "must be an absolute http:// or https:// URL")
        }
        guard url.utf8.count <= 2048 else { throw ValidationError(field: "url", reason: "must be at most 2048 bytes") }
        for (name, value) in headers {
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_".contains($0)) }) else {
                throw ValidationError(field: "headers", reason: "has an invalid header name '\(name)'")
            }
            guard !value.contains("\r"), !value.contains("\n") else { throw ValidationError(field: "headers", reason: "has a line break in '\(name)'") }
        }
        guard (body?.utf8.count ?? 0) <= 65_536 else { throw ValidationError(field: "body", reason: "must be at most 64 KB") }
        guard !expectedStatus.isEmpty else { throw ValidationError(field: "expected_status", reason: "must list at least one code or range") }
        if let jsonPath { _ = try JSONPath(jsonPath) }
        if let degradedAboveMilliseconds, degradedAboveMilliseconds < 1 {
            throw ValidationError(field: "degraded_above_ms", reason: "must be a positive number of milliseconds")
        }
        guard (0...365).contains(certificateExpiryDays) else { throw ValidationError(field: "certificate_expiry_days", reason: "must be between 0 and 365") }
        self.method = verb
        self.url = url
        self.headers = headers
        self.body = body
        self.expectedStatus = expectedStatus
        self.keyword = keyword.flatMap { $0.isEmpty ? nil : $0 }
        self.keywordAbsent = keywordAbsent
        self.jsonPath = jsonPath.flatMap { $0.isEmpty ? nil : $0 }
        self.jsonExpected = jsonExpected
        self.followRedirects = followRedirects
        self.degradedAboveMilliseconds = degradedAboveMilliseconds
        self.certificateExpiryDays = certificateExpiryDays
    }
}

/// Accepted HTTP status codes, `200` or `200-299`.
public struct StatusCodeRange: Sendable, Hashable, Codable, CustomStringConvertible {
    public var range: ClosedRange<Int>

    public init(_ range: ClosedRange<Int>) { self.range = range }

    /// Parses `"200"` or `"200-299"`.
    public init(parsing text: String) throws {
        let ends = text.split(separator: "-").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard (1...2).contains(ends.count), let low = ends.first ?? nil, let high = ends.last ?? nil,
              (100...599).contains(low), (100...599).contains(high), low <= high else {
            throw ValidationError(field: "expected_status", reason: "has '\(text)', not a status code (100-599) or a range such as 200-299")
        }
        range = low...high
    }

    public var description: String { range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound)-\(range.upperBound)" }

    public init(from decoder: any Decoder) throws { try self.init(parsing: try decoder.singleValueContainer().decode(String.self)) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A TCP connect check.
public struct TCPTarget: Sendable, Hashable, Codable {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) throws {
        let trimmed = host.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= 253, !trimmed.contains(" "), !trimmed.contains("/") else {
            throw ValidationError(field: "host", reason: "must be a host name or IP address")
        }
        guard (1...65_535).contains(port) else { throw ValidationError(field: "port", reason: "must be between 1 and 65535") }
        self.host = trimmed
        self.port = port
    }
}

/// A PostgreSQL check: connect, run a read-only query.
public struct PostgresTarget: Sendable, Hashable, Codable {
    /// `postgres://user:password@host:port/database?sslmode=…`; the password is a secret.
    public var connection: String
    /// Defaults to `SELECT 1`; run in a read-only transaction.
    public var query: String

    public init(connection: String, query: String? = nil) throws {
        guard let url = URL(string: connection), ["postgres", "postgresql"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
            throw ValidationError(field: "connection_string", reason: "must be a postgres://user:password@host:port/database URL")
        }
        let text = (query ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.utf8.count <= 4096 else { throw ValidationError(field: "query", reason: "must be at most 4 KB") }
        self.connection = connection
        self.query = text.isEmpty ? "SELECT 1" : text
    }

    /// The connection string with its password replaced, for display.
    public var redactedConnection: String {
        guard var parts = URLComponents(string: connection) else { return "postgres://…" }
        if parts.password != nil { parts.password = "********" }
        return parts.string ?? "postgres://…"
    }
}

/// Connects to a PostgreSQL server and runs a read-only query; the driver lives in the store.
public protocol PostgresProbe: Sendable {
    /// Throws an error whose description says what failed (never the password).
    func probe(_ target: PostgresTarget, timeout: Duration) async throws
}

extension HTTPTarget {
    /// What a server certificate valid until `notValidAfter` means at `now`: `down` once
    /// expired, `degraded` within `certificateExpiryDays`, `nil` when it is fine or the warning
    /// is off (0 days).
    public func certificateVerdict(notValidAfter: Date, now: Date) -> (verdict: CheckVerdict, message: String)? {
        let remaining = notValidAfter.timeIntervalSince(now)
        if remaining <= 0 { return (.down, "TLS certificate expired \(Self.day(notValidAfter))") }
        guard certificateExpiryDays > 0, remaining < Double(certificateExpiryDays) * 86_400 else { return nil }
        let days = Int(remaining / 86_400)
        let left = days == 0 ? "in less than a day" : days == 1 ? "in 1 day" : "in \(days) days"
        return (.degraded, "TLS certificate expires \(left) (\(Self.day(notValidAfter)))")
    }

    private static func day(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle().year().month().day())
    }
}
