/// A normalized error or message event ready to store: its columns, grouping and payload.
public struct EventRecord: Sendable {
    /// The receiving project.
    public var projectID: ProjectID
    /// Searchable facts.
    public var summary: EventSummary
    /// How it groups.
    public var grouping: GroupingResult
    /// The normalized, scrubbed payload, deflate-compressed.
    public var payload: [UInt8]
    /// When the server received it, seconds since 1970.
    public var receivedAt: Double

    /// Creates a record.
    public init(projectID: ProjectID, summary: EventSummary, grouping: GroupingResult, payload: [UInt8], receivedAt: Double) {
        self.projectID = projectID
        self.summary = summary
        self.grouping = grouping
        self.payload = payload
        self.receivedAt = receivedAt
    }
}

/// A performance transaction, stored for the performance views.
public struct TransactionRecord: Sendable {
    public var projectID: ProjectID
    public var eventID: String
    public var traceID: String?
    public var name: String
    public var op: String?
    public var status: String?
    public var startTimestamp: Double
    public var timestamp: Double
    public var release: String?
    public var environment: String?
    public var payload: [UInt8]
    /// What the performance statistics read from it.
    public var facts: TransactionFacts?
    /// The Apdex threshold T for its name, in milliseconds.
    public var apdexThreshold: Double

    /// Milliseconds between start and end.
    public var durationMilliseconds: Double { max(0, (timestamp - startTimestamp) * 1000) }

    public init(projectID: ProjectID, eventID: String, traceID: String?, name: String, op: String?, status: String?,
                startTimestamp: Double, timestamp: Double, release: String?, environment: String?, payload: [UInt8],
                facts: TransactionFacts? = nil, apdexThreshold: Double = Apdex.defaultThreshold) {
        self.facts = facts
        self.apdexThreshold = apdexThreshold
        self.projectID = projectID
        self.eventID = eventID
        self.traceID = traceID
        self.name = name
        self.op = op
        self.status = status
        self.startTimestamp = startTimestamp
        self.timestamp = timestamp
        self.release = release
        self.environment = environment
        self.payload = payload
    }
}

/// A release-health session update or pre-aggregated bucket.
public struct SessionRecord: Sendable {
    public var projectID: ProjectID
    /// `session` (one session) or `aggregate` (a `sessions` bucket).
    public var kind: String
    public var sessionID: String?
    public var distinctID: String?
    public var status: String
    public var errors: Int
    public var isInit: Bool
    public var started: Double
    public var duration: Double?
    public var release: String
    public var environment: String?
    /// Aggregate counts (for `kind == aggregate`).
    public var exited: Int
    public var errored: Int
    public var abnormal: Int
    public var crashed: Int

    public init(projectID: ProjectID, kind: String, sessionID: String?, distinctID: String?, status: String, errors: Int, isInit: Bool,
                started: Double, duration: Double?, release: String, environment: String?, exited: Int = 0, errored: Int = 0, abnormal: Int = 0, crashed: Int = 0) {
        self.projectID = projectID
        self.kind = kind
        self.sessionID = sessionID
        self.distinctID = distinctID
        self.status = status
        self.errors = errors
        self.isInit = isInit
        self.started = started
        self.duration = duration
        self.release = release
        self.environment = environment
        self.exited = exited
        self.errored = errored
        self.abnormal = abnormal
        self.crashed = crashed
    }
}

/// A cron/heartbeat check-in.
public struct CheckInRecord: Sendable {
    public var projectID: ProjectID
    public var checkInID: String
    public var monitorSlug: String
    public var status: String
    public var duration: Double?
    public var environment: String?
    public var timestamp: Double
    public var payload: [UInt8]
    /// The monitor to create or update (`monitor_config`), when the SDK sent a valid one.
    public var config: CronMonitorConfig?

    public init(projectID: ProjectID, checkInID: String, monitorSlug: String, status: String, duration: Double?, environment: String?, timestamp: Double,
                payload: [UInt8], config: CronMonitorConfig? = nil) {
        self.config = config
        self.projectID = projectID
        self.checkInID = checkInID
        self.monitorSlug = monitorSlug
        self.status = status
        self.duration = duration
        self.environment = environment
        self.timestamp = timestamp
        self.payload = payload
    }
}

/// End-user feedback (`user_report` or `feedback` items), linked to an event when it names one.
public struct UserReportRecord: Sendable {
    public var projectID: ProjectID
    public var eventID: String?
    public var name: String?
    public var email: String?
    public var comments: String
    public var source: String
    public var timestamp: Double

    public init(projectID: ProjectID, eventID: String?, name: String?, email: String?, comments: String, source: String, timestamp: Double) {
        self.projectID = projectID
        self.eventID = eventID
        self.name = name
        self.email = email
        self.comments = comments
        self.source = source
        self.timestamp = timestamp
    }
}

/// A file attached to an event.
public struct AttachmentRecord: Sendable {
    public var projectID: ProjectID
    public var eventID: String
    public var filename: String
    public var contentType: String
    public var attachmentType: String
    public var data: [UInt8]
    public var timestamp: Double

    public init(projectID: ProjectID, eventID: String, filename: String, contentType: String, attachmentType: String, data: [UInt8], timestamp: Double) {
        self.projectID = projectID
        self.eventID = eventID
        self.filename = filename
        self.contentType = contentType
        self.attachmentType = attachmentType
        self.data = data
        self.timestamp = timestamp
    }
}

/// A count of items that did not become data, and why (SDK client reports, server drops).
public struct OutcomeRecord: Sendable {
    public var projectID: ProjectID
    public var timestamp: Double
    /// `client_discard`, `filtered`, `rate_limited`, `invalid`, `discarded`.
    public var outcome: String
    public var category: String
    public var reason: String
    public var quantity: Int

    public init(projectID: ProjectID, timestamp: Double, outcome: String, category: String, reason: String, quantity: Int) {
        self.projectID = projectID
        self.timestamp = timestamp
        self.outcome = outcome
        self.category = category
        self.reason = reason
        self.quantity = quantity
    }
}

/// Anything the ingest path stores.
public enum IngestRecord: Sendable {
    case event(EventRecord)
    case transaction(TransactionRecord)
    case session(SessionRecord)
    case checkIn(CheckInRecord)
    case userReport(UserReportRecord)
    case attachment(AttachmentRecord)
    case outcome(OutcomeRecord)
}

/// Stores ingested records; one call is one transaction (group commit).
public protocol IngestRepository: Sendable {
    /// Writes every record atomically. Events whose id the project already has are skipped
    /// (idempotency); new fingerprints open issues; issue counters follow.
    func write(_ records: [IngestRecord]) async throws
}
