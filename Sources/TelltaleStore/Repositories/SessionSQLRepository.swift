public import Foundation
import SQLKit
public import TelltaleCore

/// Dashboard sessions in SQL, found by the digest of the cookie's secret.
public struct SessionSQLRepository: SessionRepository {
    let backend: any SQLBackend

    public func create(_ session: WebSession) async throws {
        try await backend.write { db in
            try await db.insert(into: "web_sessions")
                .columns("digest", "user_id", "csrf_token", "created_at", "expires_at")
                .values(SQLBind(session.digest), SQLBind(session.userID.rawValue), SQLBind(session.csrfToken),
                        SQLBind(session.createdAt.millisecondsSince1970), SQLBind(session.expiresAt.millisecondsSince1970))
                .run()
        }
    }

    public func session(digest: String, now: Date) async throws -> WebSession? {
        try await backend.read { db in
            guard let row = try await db.select().columns("digest", "user_id", "csrf_token", "created_at", "expires_at").from("web_sessions")
                .where("digest", .equal, SQLBind(digest))
                .where("expires_at", .greaterThan, SQLBind(now.millisecondsSince1970))
                .first()
            else { return nil }
            return WebSession(
                digest: try row.decode(column: "digest", as: String.self),
                userID: UserID(try row.decode(column: "user_id", as: Int64.self)),
                csrfToken: try row.decode(column: "csrf_token", as: String.self),
                createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self)),
                expiresAt: Date(millisecondsSince1970: try row.decode(column: "expires_at", as: Int64.self))
            )
        }
    }

    public func delete(digest: String) async throws {
        try await backend.write { db in
            try await db.delete(from: "web_sessions").where("digest", .equal, SQLBind(digest)).run()
        }
    }

    public func deleteAll(userID: UserID, keeping: String?) async throws {
        try await backend.write { db in
            var query = db.delete(from: "web_sessions").where("user_id", .equal, SQLBind(userID.rawValue))
            if let keeping { query = query.where("digest", .notEqual, SQLBind(keeping)) }
            try await query.run()
        }
    }

    public func purgeExpired(now: Date) async throws -> Int {
        try await backend.write { db in
            try await db.delete(from: "web_sessions").where("expires_at", .lessThanOrEqual, SQLBind(now.millisecondsSince1970))
                .returning("digest").all().count
        }
    }
}
