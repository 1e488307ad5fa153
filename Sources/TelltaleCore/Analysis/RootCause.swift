public import Foundation

/// What a root-cause analysis reads of an issue: its latest event's exception, frames and
/// breadcrumbs, its allowed tags, its figures, and its related issues.
public struct AnalysisInput: Sendable, Hashable {
    public struct Frame: Sendable, Hashable, Codable {
        public var function: String?
        public var module: String?
        public var file: String?
        public var line: Int?
        public var inApp: Bool

        public init(function: String?, module: String?, file: String?, line: Int?, inApp: Bool) {
            self.function = function
            self.module = module
            self.file = file
            self.line = line
            self.inApp = inApp
        }

        var location: String {
            let place = file ?? module ?? "?"
            return "\(place)\(line.map { ":\($0)" } ?? "") in \(function ?? "?")"
        }
    }

    public struct Breadcrumb: Sendable, Hashable, Codable {
        public var category: String
        public var message: String
        public var level: String

        public init(category: String, message: String, level: String) {
            self.category = category
            self.message = message
            self.level = level
        }
    }

    public var title: String
    public var type: String
    public var message: String
    public var culprit: String
    /// Innermost last, as Sentry sends them.
    public var frames: [Frame]
    public var breadcrumbs: [Breadcrumb]
    public var tags: [String: String]
    public var events: Int
    public var users: Int
    public var firstSeen: Date
    public var classification: Classification?
    /// Related issues: id, title and why (`similar`, `temporal`…).
    public var related: [RootCauseAnalysis.Related]

    public init(title: String, type: String, message: String, culprit: String, frames: [Frame], breadcrumbs: [Breadcrumb], tags: [String: String],
                events: Int, users: Int, firstSeen: Date, classification: Classification?, related: [RootCauseAnalysis.Related]) {
        self.title = title
        self.type = type
        self.message = message
        self.culprit = culprit
        self.frames = frames
        self.breadcrumbs = breadcrumbs
        self.tags = tags
        self.events = events
        self.users = users
        self.firstSeen = firstSeen
        self.classification = classification
        self.related = related
    }
}

/// A root-cause hypothesis with what to do about it: the offline analyzer's and an LLM's alike.
public struct RootCauseAnalysis: Sendable, Hashable, Codable {
    public struct Related: Sendable, Hashable, Codable {
        public var issueID: Int64
        public var title: String
        public var reason: String

        public init(issueID: Int64, title: String, reason: String) {
            self.issueID = issueID
            self.title = title
            self.reason = reason
        }

        enum CodingKeys: String, CodingKey { case issueID = "issue_id", title, reason }
    }

    /// The known error signature that matched (`timeout`, `connection_refused`…), or `unknown`.
    public var signature: String
    public var rootCause: String
    public var impact: String
    public var suggestedFix: String
    public var prevention: String
    /// 1 (cosmetic) to 5 (outage).
    public var severity: Int
    /// What the hypothesis rests on.
    public var evidence: [String]
    public var relatedIssues: [Related]

    public init(signature: String, rootCause: String, impact: String, suggestedFix: String, prevention: String, severity: Int, evidence: [String],
                relatedIssues: [Related]) {
        self.signature = signature
        self.rootCause = rootCause
        self.impact = impact
        self.suggestedFix = suggestedFix
        self.prevention = prevention
        self.severity = min(5, max(1, severity))
        self.evidence = evidence
        self.relatedIssues = relatedIssues
    }

    enum CodingKeys: String, CodingKey {
        case signature, rootCause = "root_cause", impact, suggestedFix = "suggested_fix", prevention, severity, evidence, relatedIssues = "related_issues"
    }
}

/// The built-in analyzer, pure and offline: known error signatures matched against the
/// exception, message and breadcrumbs, located by the innermost frame of the application.
public enum RootCauseAnalyzer {
    struct Signature {
        var name: String
        var pattern: String
        var cause: String
        var fix: String
        var prevention: String
        var minimumSeverity: Int
    }

    /// Checked in order; the first that matches decides. Patterns are `|`-separated,
    /// case-insensitive substrings.
    static let signatures: [Signature] = [
        Signature(name: "out_of_memory", pattern: "MemoryError|OutOfMemory|out of memory|ENOMEM|heap exhausted|Killed process",
                  cause: "The process ran out of memory", fix: "Find what grows without bound (a cache, a result set loaded whole, a leak) and bound it; raise the memory limit only as a stopgap.",
                  prevention: "Stream large results, bound caches, and alert on memory use before the limit.", minimumSeverity: 4),
        Signature(name: "disk_full", pattern: "No space left on device|ENOSPC|disk full|disk quota exceeded",
                  cause: "A disk is full", fix: "Free space (old logs, temporary files, retention) and grow the volume.",
                  prevention: "Monitor free space and rotate logs; set retention.", minimumSeverity: 4),
        Signature(name: "deadlock", pattern: "deadlock|lock wait timeout|could not serialize access|serialization failure",
                  cause: "Two transactions waited on each other's locks", fix: "Take locks in one order everywhere, keep transactions short, and retry the transaction on a deadlock error.",
                  prevention: "Keep a consistent lock order, index the rows updated, and retry serialization failures.", minimumSeverity: 3),
        Signature(name: "database_connection", pattern: "too many connections|connection pool|PoolTimeout|QueuePool limit|server closed the connection|could not connect to server|OperationalError",
                  cause: "The application could not get or keep a database connection", fix: "Check that the database is up and reachable; size the connection pool to the database's limit and return connections promptly.",
                  prevention: "Monitor the database and its connection count; use pool pre-ping and timeouts.", minimumSeverity: 4),
        Signature(name: "connection_refused", pattern: "connection refused|ECONNREFUSED|ConnectionRefused|connection reset|ECONNRESET|Connection aborted",
                  cause: "A service this code calls refused or dropped the connection: it is down, restarting or not listening", fix: "Check the called service's health and address; retry idempotent calls with backoff.",
                  prevention: "Health-check dependencies, use retries with backoff and a circuit breaker.", minimumSeverity: 3),
        Signature(name: "dns", pattern: "Name or service not known|getaddrinfo|ENOTFOUND|NXDOMAIN|nodename nor servname|Temporary failure in name resolution",
                  cause: "A host name could not be resolved", fix: "Check the configured host name and the resolver; cache lookups where possible.",
                  prevention: "Monitor DNS for the hosts you depend on; avoid hard-coded host names.", minimumSeverity: 3),
        Signature(name: "tls", pattern: "certificate verify failed|SSLError|x509|certificate has expired|handshake failure",
                  cause: "A TLS connection failed: an expired, self-signed or mismatched certificate", fix: "Renew or correct the certificate, or the trust store of the caller.",
                  prevention: "Monitor certificate expiry (a certificate monitor does this).", minimumSeverity: 3),
        Signature(name: "rate_limited", pattern: "429|rate limit|too many requests|throttl|quota exceeded",
                  cause: "An upstream API rate-limited the calls", fix: "Back off and retry after the `Retry-After` delay; batch or cache calls.",
                  prevention: "Budget calls per minute, cache results, and alert before the quota.", minimumSeverity: 2),
        Signature(name: "timeout", pattern: "timeout|timed out|TimeoutError|ReadTimeout|deadline exceeded|ETIMEDOUT",
                  cause: "A call took longer than its timeout: the callee is slow or overloaded, or the timeout is too short", fix: "Find the slow dependency (the last breadcrumb before the error); make the call faster or asynchronous, and set timeouts deliberately.",
                  prevention: "Set timeouts on every remote call, track latency percentiles, and use circuit breakers.", minimumSeverity: 3),
        Signature(name: "permission_denied", pattern: "PermissionError|permission denied|EACCES|EPERM|Forbidden|AccessDenied|403",
                  cause: "The process or user lacked a permission", fix: "Check the file, role or token permissions the code runs with.",
                  prevention: "Test with production-like permissions; alert on authorization failures.", minimumSeverity: 2),
        Signature(name: "payment_declined", pattern: "card declined|card_declined|payment failed|insufficient funds|PaymentError|CardError",
                  cause: "A payment was declined or the payment provider failed", fix: "Separate declines (show the customer) from provider failures (retry, fail over); check the provider's status.",
                  prevention: "Monitor the payment provider and the payment success rate.", minimumSeverity: 3),
        Signature(name: "null_access", pattern: "NoneType|null pointer|NullPointer|undefined is not|Cannot read propert|unexpectedly found nil|null reference|of undefined|of null",
                  cause: "A value was absent (None, null, nil) where the code expected one", fix: "Handle the absent case where the value is produced, or validate it where it enters.",
                  prevention: "Type optional values explicitly and test the empty cases.", minimumSeverity: 2),
        Signature(name: "missing_key", pattern: "KeyError|KeyNotFound|no such key|IndexError|index out of range|out of bounds|ArrayIndexOutOfBounds",
                  cause: "A key or index the code expected was not there", fix: "Check the data's shape where it is read; use a default or fail with a clear validation error.",
                  prevention: "Validate input against a schema at the boundary.", minimumSeverity: 2),
        Signature(name: "validation", pattern: "ValidationError|ValueError|InvalidArgument|IllegalArgument|BadRequest|invalid input",
                  cause: "Input did not have the expected format", fix: "Validate the input at the boundary and answer with a clear client error instead of failing.",
                  prevention: "Validate requests against a schema; test malformed input.", minimumSeverity: 1),
        Signature(name: "type_error", pattern: "TypeError|AttributeError|ClassCastException|NoMethodError",
                  cause: "A value had another type than the code expected", fix: "Find where the value is produced (the innermost frame of your code) and correct its type there.",
                  prevention: "Use type checking (mypy, TypeScript) and tests on the changed paths.", minimumSeverity: 2),
    ]

    public static func analyze(_ input: AnalysisInput) -> RootCauseAnalysis {
        let crumbs = input.breadcrumbs.suffix(5).map { "\($0.category) \($0.message)" }.joined(separator: " ")
        let haystack = [input.type, input.message, input.title, crumbs]
        let signature = signatures.first { signature in haystack.contains { Classifier.contains($0, signature.pattern) } }
        var evidence: [String] = []
        let place = input.frames.last(where: \.inApp) ?? input.frames.last
        if let signature { evidence.append("\(input.type.isEmpty ? "the message" : input.type) matches the known signature “\(signature.name)”") }
        if let place { evidence.append("raised at \(place.location)") }
        if let crumb = input.breadcrumbs.last(where: { ["http", "db", "query", "db.query", "httplib", "redis", "sql"].contains($0.category) }) {
            evidence.append("the last \(crumb.category) call before it: \(PatternFinder.messageShape(crumb.message).prefix(160))")
        }
        if !input.related.isEmpty { evidence.append("\(input.related.count) related issue\(input.related.count == 1 ? "" : "s")") }
        let base = switch input.classification?.severity ?? .medium {
        case .critical: 5
        case .high: 4
        case .medium: 3
        case .low: 2
        case .info: 1
        }
        let widespread = input.users > 100 || input.events > 1_000 ? 1 : 0
        let severity = max(signature?.minimumSeverity ?? 1, min(5, base + widespread))
        let location = place.map { " at \($0.location)" } ?? (input.culprit.isEmpty ? "" : " in \(input.culprit)")
        let cause = signature.map { "\($0.cause)\(location)." } ?? "\(input.type.isEmpty ? "An error" : input.type) was raised\(location): \(input.message.prefix(200))"
        var impact = "\(input.events) event\(input.events == 1 ? "" : "s") affecting \(input.users) user\(input.users == 1 ? "" : "s") since \(input.firstSeen.iso8601)"
        if let classification = input.classification {
            impact += "; \(classification.impact.rawValue.replacingOccurrences(of: "_", with: " ")), \(classification.category.rawValue)"
        }
        return RootCauseAnalysis(
            signature: signature?.name ?? "unknown", rootCause: cause, impact: impact,
            suggestedFix: signature?.fix ?? "Reproduce with the latest event's stack trace and breadcrumbs; the innermost frame of your code is where to start.",
            prevention: signature?.prevention ?? "Add a test for this path once it is understood.",
            severity: severity, evidence: evidence, relatedIssues: Array(input.related.prefix(5)))
    }
}
