import Foundation
import SQLKit
public import TelltaleCore

/// Reads events and issues in SQL.
public struct EventReadSQLRepository: EventReadRepository {
    let backend: any SQLBackend

    public func event(projectID: ProjectID, eventID: String) async throws -> StoredEvent? {
        try await backend.read { db in
            guard let row = try await db.select()
                .columns("event_id", "issue_id", "type", "title", "culprit", "level", "timestamp", "received_at", "payload")
                .from("events")
                .where("project_id", .equal, SQLBind(projectID.rawValue))
                .where("event_id", .equal, SQLBind(eventID))
                .first()
            else { return nil }
            return StoredEvent(
                projectID: projectID,
                eventID: try row.decode(column: "event_id", as: String.self),
                issueID: try row.decode(column: "issue_id", as: Int64?.self),
                type: try row.decode(column: "type", as: String.self),
                title: try row.decode(column: "title", as: String.self),
                culprit: try row.decode(column: "culprit", as: String.self),
                level: try row.decode(column: "level", as: String.self),
                timestamp: Date(millisecondsSince1970: try row.decode(column: "timestamp", as: Int64.self)),
                receivedAt: Date(millisecondsSince1970: try row.decode(column: "received_at", as: Int64.self)),
                compressedPayload: Array(try row.decode(column: "payload", as: Data.self))
            )
        }
    }

    public func issues(projectID: ProjectID, limit: Int) async throws -> [IssueSummary] {
        try await backend.read { db in
            try await db.select()
                .columns("id", "short_number", "title", "culprit", "level", "status", "times_seen", "user_count", "first_seen", "last_seen", "grouping_components")
                .from("issues")
                .where("project_id", .equal, SQLBind(projectID.rawValue))
                .orderBy("last_seen", .descending)
                .limit(limit)
                .all()
                .map { row in
                    IssueSummary(
                        id: try row.decode(column: "id", as: Int64.self), projectID: projectID,
                        shortNumber: try row.decode(column: "short_number", as: Int64.self),
                        title: try row.decode(column: "title", as: String.self), culprit: try row.decode(column: "culprit", as: String.self),
                        level: try row.decode(column: "level", as: String.self), status: try row.decode(column: "status", as: String.self),
                        count: try row.decode(column: "times_seen", as: Int64.self), userCount: try row.decode(column: "user_count", as: Int64.self),
                        firstSeen: Date(millisecondsSince1970: try row.decode(column: "first_seen", as: Int64.self)),
                        lastSeen: Date(millisecondsSince1970: try row.decode(column: "last_seen", as: Int64.self)),
                        groupingComponents: (try? JSONDecoder().decode([String].self, from: Data(row.decode(column: "grouping_components", as: String.self).utf8))) ?? []
                    )
                }
        }
    }
}
