public import Foundation

/// A stored event as read back: its columns and decompressed payload.
public struct StoredEvent: Sendable {
    public var projectID: ProjectID
    public var eventID: String
    public var issueID: Int64?
    public var type: String
    public var title: String
    public var culprit: String
    public var level: String
    public var timestamp: Date
    public var receivedAt: Date
    /// The normalized, scrubbed event JSON (still compressed; the caller decompresses).
    public var compressedPayload: [UInt8]

    public init(projectID: ProjectID, eventID: String, issueID: Int64?, type: String, title: String, culprit: String, level: String,
                timestamp: Date, receivedAt: Date, compressedPayload: [UInt8]) {
        self.projectID = projectID
        self.eventID = eventID
        self.issueID = issueID
        self.type = type
        self.title = title
        self.culprit = culprit
        self.level = level
        self.timestamp = timestamp
        self.receivedAt = receivedAt
        self.compressedPayload = compressedPayload
    }
}

/// An issue row as the list shows it.
public struct IssueSummary: Sendable {
    public var id: Int64
    public var projectID: ProjectID
    public var shortNumber: Int64
    public var title: String
    public var culprit: String
    public var level: String
    public var status: String
    public var count: Int64
    public var userCount: Int64
    public var firstSeen: Date
    public var lastSeen: Date
    public var groupingComponents: [String]

    public init(id: Int64, projectID: ProjectID, shortNumber: Int64, title: String, culprit: String, level: String, status: String,
                count: Int64, userCount: Int64, firstSeen: Date, lastSeen: Date, groupingComponents: [String]) {
        self.id = id
        self.projectID = projectID
        self.shortNumber = shortNumber
        self.title = title
        self.culprit = culprit
        self.level = level
        self.status = status
        self.count = count
        self.userCount = userCount
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.groupingComponents = groupingComponents
    }
}

/// Reads what ingest stored.
public protocol EventReadRepository: Sendable {
    /// One event of a project by its id.
    func event(projectID: ProjectID, eventID: String) async throws -> StoredEvent?
    /// A project's issues, most recently seen first.
    func issues(projectID: ProjectID, limit: Int) async throws -> [IssueSummary]
}
