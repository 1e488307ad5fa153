import Foundation
import SQLKit
public import TelltaleCore

/// Reads events and issues in SQL.
public struct EventReadSQLRepository: EventReadRepository {
    let backend: any SQLBackend

    public func event(projectID: ProjectID, eventID: String) async throws -> StoredEvent? {
        try await backend.read { db in
            guard let row = try await db.select()
                .columns(Self.columns)
                .from("events")
                .where("project_id", .equal, SQLBind(projectID.rawValue))
                .where("event_id", .equal, SQLBind(eventID))
                .first()
            else { return nil }
            return try Self.storedEvent(row)
        }
    }

    static let columns = ["id", "project_id", "event_id", "issue_id", "type", "title", "culprit", "level", "timestamp", "received_at", "payload"]

    static func storedEvent(_ row: any SQLRow) throws -> StoredEvent {
        StoredEvent(
            projectID: ProjectID(try row.decode(column: "project_id", as: Int64.self)),
            eventID: try row.decode(column: "event_id", as: String.self),
            issueID: try row.decode(column: "issue_id", as: Int64?.self),
            type: try row.decode(column: "type", as: String.self),
            title: try row.decode(column: "title", as: String.self),
            culprit: try row.decode(column: "culprit", as: String.self),
            level: try row.decode(column: "level", as: String.self),
            timestamp: Date(millisecondsSince1970: try row.decode(column: "timestamp", as: Int64.self)),
            receivedAt: Date(millisecondsSince1970: try row.decode(column: "received_at", as: Int64.self)),
            compressedPayload: Array(try row.decode(column: "payload", as: Data.self)),
            rowID: try row.decode(column: "id", as: Int64.self)
        )
    }
}
