public import Foundation

/// A stored event as the forwarding pass sees it: enough to filter it.
public struct ForwardCandidate: Sendable, Hashable {
    public var rowID: Int64
    public var projectID: ProjectID
    public var eventID: String
    public var level: EventLevel
    public var environment: String?
    /// When the event was stored.
    public var receivedAt: Date

    public init(rowID: Int64, projectID: ProjectID, eventID: String, level: EventLevel, environment: String?, receivedAt: Date = .distantPast) {
        self.rowID = rowID
        self.projectID = projectID
        self.eventID = eventID
        self.level = level
        self.environment = environment
        self.receivedAt = receivedAt
    }
}

/// Events a forwarder sends in one request: a row of the notification queue.
public struct ForwardBatch: Sendable, Hashable {
    public var forwarderID: ForwarderID
    public var organizationID: OrganizationID
    public var type: ForwarderType
    public var eventRows: [Int64]

    public init(forwarderID: ForwarderID, organizationID: OrganizationID, type: ForwarderType, eventRows: [Int64]) {
        self.forwarderID = forwarderID
        self.organizationID = organizationID
        self.type = type
        self.eventRows = eventRows
    }
}

/// A claimed batch with its forwarder.
public struct QueuedForward: Sendable, Hashable {
    public var id: NotificationID
    public var forwarder: Forwarder
    public var eventRows: [Int64]
    public var attempts: Int

    public init(id: NotificationID, forwarder: Forwarder, eventRows: [Int64], attempts: Int) {
        self.id = id
        self.forwarder = forwarder
        self.eventRows = eventRows
        self.attempts = attempts
    }
}

/// A stored event with what the services' formats need.
public struct ForwardedEvent: Sendable {
    public var rowID: Int64
    public var organizationSlug: String
    public var projectSlug: String
    public var eventID: String
    public var issueID: Int64?
    public var level: EventLevel
    public var title: String
    public var culprit: String
    public var environment: String?
    public var release: String?
    public var tags: [(key: String, value: String)]
    public var timestamp: Date
    /// The normalized, scrubbed event JSON, still compressed.
    public var compressedPayload: [UInt8]

    public init(rowID: Int64, organizationSlug: String, projectSlug: String, eventID: String, issueID: Int64?, level: EventLevel, title: String, culprit: String,
                environment: String?, release: String?, tags: [(key: String, value: String)], timestamp: Date, compressedPayload: [UInt8]) {
        self.rowID = rowID
        self.organizationSlug = organizationSlug
        self.projectSlug = projectSlug
        self.eventID = eventID
        self.issueID = issueID
        self.level = level
        self.title = title
        self.culprit = culprit
        self.environment = environment
        self.release = release
        self.tags = tags
        self.timestamp = timestamp
        self.compressedPayload = compressedPayload
    }
}

/// One line of a forwarder's delivery log.
public struct ForwardDelivery: Sendable, Hashable {
    public var id: NotificationID
    public var events: Int
    public var status: String
    public var attempts: Int
    public var lastError: String?
    public var createdAt: Date
    public var deliveredAt: Date?

    public init(id: NotificationID, events: Int, status: String, attempts: Int, lastError: String?, createdAt: Date, deliveredAt: Date?) {
        self.id = id
        self.events = events
        self.status = status
        self.attempts = attempts
        self.lastError = lastError
        self.createdAt = createdAt
        self.deliveredAt = deliveredAt
    }
}

/// Decides which forwarder sends which new events, in queued batches of up to ``ForwarderType/batchSize``.
public enum ForwardPlanner {
    /// The candidates (in row order) a pass takes: all of them, or while ingestion is busy
    /// only the leading ones stored at or before `cutoff`. A prefix, never a selection: the
    /// cursor moves past what a pass takes, so a newer row must not let an older one be skipped.
    public static func due(_ candidates: [ForwardCandidate], storedBy cutoff: Date?) -> ArraySlice<ForwardCandidate> {
        guard let cutoff else { return candidates[...] }
        return candidates.prefix { $0.receivedAt <= cutoff }
    }

    public static func batches(_ candidates: [ForwardCandidate], forwarders: [Forwarder]) -> [ForwardBatch] {
        let byProject = Dictionary(grouping: forwarders.filter(\.enabled), by: \.projectID)
        var rows: [ForwarderID: [Int64]] = [:]
        var order: [Forwarder] = []
        for candidate in candidates {
            for forwarder in byProject[candidate.projectID] ?? [] where candidate.rowID > forwarder.startsAfterEvent
                && forwarder.filters.admits(level: candidate.level, environment: candidate.environment, eventID: candidate.eventID) {
                if rows[forwarder.id] == nil { order.append(forwarder) }
                rows[forwarder.id, default: []].append(candidate.rowID)
            }
        }
        return order.flatMap { forwarder in
            let all = rows[forwarder.id] ?? []
            return stride(from: 0, to: all.count, by: ForwarderType.batchSize).map { start in
                ForwardBatch(forwarderID: forwarder.id, organizationID: forwarder.organizationID, type: forwarder.type,
                             eventRows: Array(all[start..<min(all.count, start + ForwarderType.batchSize)]))
            }
        }
    }
}
