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
    /// The row's key: orders events received at the same millisecond, for paging.
    public var rowID: Int64

    public init(projectID: ProjectID, eventID: String, issueID: Int64?, type: String, title: String, culprit: String, level: String,
                timestamp: Date, receivedAt: Date, compressedPayload: [UInt8], rowID: Int64 = 0) {
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
        self.rowID = rowID
    }
}

/// Reads what ingest stored.
public protocol EventReadRepository: Sendable {
    /// One event of a project by its id.
    func event(projectID: ProjectID, eventID: String) async throws -> StoredEvent?
}
