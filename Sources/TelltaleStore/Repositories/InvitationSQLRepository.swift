public import Foundation
import SQLKit
public import TelltaleCore

/// Invitations in SQL, found by the digest of their link's secret.
public struct InvitationSQLRepository: InvitationRepository {
    let backend: any SQLBackend

    static let columns = ["id", "organization_id", "email", "role", "invited_by", "created_at", "expires_at", "accepted_at"]

    public func create(organizationID: OrganizationID, email: String, role: Role, invitedBy: UserID?,
                       digest: String, createdAt: Date, expiresAt: Date) async throws -> Invitation {
        let id = try await backend.write { db in
            // A new invitation replaces an open one for the same person: the old link stops working.
            try await db.delete(from: "invitations")
                .where("organization_id", .equal, SQLBind(organizationID.rawValue))
                .where("email", .equal, SQLBind(email))
                .where("accepted_at", .is, SQLLiteral.null)
                .run()
            return try await db.insert(into: "invitations")
                .columns("organization_id", "email", "role", "invited_by", "digest", "created_at", "expires_at")
                .values(SQLBind(organizationID.rawValue), SQLBind(email), SQLBind(role.rawValue), SQLBind(invitedBy?.rawValue),
                        SQLBind(digest), SQLBind(createdAt.millisecondsSince1970), SQLBind(expiresAt.millisecondsSince1970))
                .returning("id")
                .first(decodingColumn: "id", as: Int64.self)
        }
        guard let id else { throw DomainError.notFound("invitation") }
        return Invitation(id: InvitationID(id), organizationID: organizationID, email: email, role: role, invitedBy: invitedBy,
                          createdAt: createdAt, expiresAt: expiresAt, acceptedAt: nil)
    }

    public func invitation(digest: String) async throws -> Invitation? {
        try await backend.read { db in
            try await db.select().columns(Self.columns).from("invitations")
                .where("digest", .equal, SQLBind(digest))
                .first().map(Self.decode)
        }
    }

    public func open(organizationID: OrganizationID, now: Date) async throws -> [Invitation] {
        try await backend.read { db in
            try await db.select().columns(Self.columns).from("invitations")
                .where("organization_id", .equal, SQLBind(organizationID.rawValue))
                .where("accepted_at", .is, SQLLiteral.null)
                .where("expires_at", .greaterThan, SQLBind(now.millisecondsSince1970))
                .orderBy("email")
                .all().map(Self.decode)
        }
    }

    public func accept(_ id: InvitationID, userID: UserID, now: Date) async throws -> Bool {
        try await backend.write { db in
            guard let row = try await db.update("invitations")
                .set("accepted_at", to: SQLBind(now.millisecondsSince1970))
                .where("id", .equal, SQLBind(id.rawValue))
                .where("accepted_at", .is, SQLLiteral.null)
                .where("expires_at", .greaterThan, SQLBind(now.millisecondsSince1970))
                .returning("organization_id", "role")
                .first()
            else { return false }
            let organizationID = try row.decode(column: "organization_id", as: Int64.self)
            let role = try row.decode(column: "role", as: String.self)
            // Someone who joined meanwhile keeps the role they have.
            try await db.insert(into: "memberships")
                .columns("organization_id", "user_id", "role", "created_at")
                .values(SQLBind(organizationID), SQLBind(userID.rawValue), SQLBind(role), SQLBind(now.millisecondsSince1970))
                .ignoringConflicts(with: ["organization_id", "user_id"])
                .run()
            return true
        }
    }

    public func revoke(_ id: InvitationID, organizationID: OrganizationID) async throws -> Bool {
        try await backend.write { db in
            try await db.delete(from: "invitations")
                .where("id", .equal, SQLBind(id.rawValue))
                .where("organization_id", .equal, SQLBind(organizationID.rawValue))
                .where("accepted_at", .is, SQLLiteral.null)
                .returning("id").all().count > 0
        }
    }

    static func decode(_ row: any SQLRow) throws -> Invitation {
        Invitation(
            id: InvitationID(try row.decode(column: "id", as: Int64.self)),
            organizationID: OrganizationID(try row.decode(column: "organization_id", as: Int64.self)),
            email: try row.decode(column: "email", as: String.self),
            role: Role(rawValue: try row.decode(column: "role", as: String.self)) ?? .viewer,
            invitedBy: try row.decode(column: "invited_by", as: Int64?.self).map(UserID.init),
            createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self)),
            expiresAt: Date(millisecondsSince1970: try row.decode(column: "expires_at", as: Int64.self)),
            acceptedAt: try row.decode(column: "accepted_at", as: Int64?.self).map(Date.init(millisecondsSince1970:))
        )
    }
}

/// Failed sign-ins in SQL, one row per failure and key.
public struct LoginFailureSQLRepository: LoginFailureRepository {
    let backend: any SQLBackend

    public func failures(key: String, since: Date) async throws -> [Date] {
        try await backend.read { db in
            try await db.select().column("failed_at").from("login_failures")
                .where("throttle_key", .equal, SQLBind(key))
                .where("failed_at", .greaterThanOrEqual, SQLBind(since.millisecondsSince1970))
                .orderBy("failed_at")
                .limit(100)
                .all(decodingColumn: "failed_at", as: Int64.self)
                .map(Date.init(millisecondsSince1970:))
        }
    }

    public func record(keys: [String], at: Date) async throws {
        guard !keys.isEmpty else { return }
        try await backend.write { db in
            var insert = db.insert(into: "login_failures").columns("throttle_key", "failed_at")
            for key in keys { insert = insert.values(SQLBind(key), SQLBind(at.millisecondsSince1970)) }
            try await insert.run()
        }
    }

    public func clear(key: String) async throws {
        try await backend.write { db in
            try await db.delete(from: "login_failures").where("throttle_key", .equal, SQLBind(key)).run()
        }
    }

    public func purge(before: Date) async throws -> Int {
        try await backend.write { db in
            try await db.delete(from: "login_failures").where("failed_at", .lessThan, SQLBind(before.millisecondsSince1970))
                .returning("failed_at").all().count
        }
    }
}
