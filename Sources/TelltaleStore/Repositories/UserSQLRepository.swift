import Foundation
import SQLKit
public import TelltaleCore

/// Users in SQL.
public struct UserSQLRepository: UserRepository {
    let backend: any SQLBackend

    public func create(email: String, name: String, passwordHash: String, isSystemAdmin: Bool) async throws -> User {
        let now = Date().millisecondsSince1970
        let id = try await backend.mapConflict("a user with email \(email) already exists") {
            try await backend.write { db in
                try await db.insert(into: "users")
                    .columns("email", "name", "password_hash", "is_system_admin", "created_at")
                    .values(SQLBind(email), SQLBind(name), SQLBind(passwordHash), SQLBind(isSystemAdmin), SQLBind(now))
                    .returning("id")
                    .first(decodingColumn: "id", as: Int64.self)
            }
        }
        guard let id, let user = try await user(id: UserID(id)) else { throw DomainError.notFound("user \(email)") }
        return user
    }

    public func user(id: UserID) async throws -> User? {
        try await backend.read { db in
            try await db.select().columns(RowDecoding.userColumns).from("users")
                .where("id", .equal, SQLBind(id.rawValue)).first().map { try RowDecoding.user($0) }
        }
    }

    public func user(email: String) async throws -> User? {
        try await backend.read { db in
            try await db.select().columns(RowDecoding.userColumns).from("users")
                .where("email", .equal, SQLBind(email.lowercased())).first().map { try RowDecoding.user($0) }
        }
    }

    public func all() async throws -> [User] {
        try await backend.read { db in
            try await db.select().columns(RowDecoding.userColumns).from("users").orderBy("email").all().map { try RowDecoding.user($0) }
        }
    }

    public func count() async throws -> Int {
        try await backend.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM users").first(decodingColumn: "n", as: Int.self) ?? 0
        }
    }

    public func setPasswordHash(_ hash: String, for userID: UserID) async throws {
        let changed = try await backend.write { db in
            try await db.update("users").set("password_hash", to: SQLBind(hash))
                .where("id", .equal, SQLBind(userID.rawValue))
                .returning("id").all().count
        }
        guard changed == 1 else { throw DomainError.notFound("user \(userID)") }
    }
}
