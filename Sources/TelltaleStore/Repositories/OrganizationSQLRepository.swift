import Foundation
import SQLKit
public import TelltaleCore

/// Organizations and memberships in SQL.
public struct OrganizationSQLRepository: OrganizationRepository {
    let backend: any SQLBackend

    public func create(slug: Slug, name: String) async throws -> Organization {
        let now = Date()
        let id = try await backend.mapConflict("an organization with slug \(slug) already exists") {
            try await backend.write { db in
                try await db.insert(into: "organizations")
                    .columns("slug", "name", "created_at")
                    .values(SQLBind(slug.rawValue), SQLBind(name), SQLBind(now.millisecondsSince1970))
                    .returning("id")
                    .first(decodingColumn: "id", as: Int64.self)
            }
        }
        guard let id, let organization = try await organization(id: OrganizationID(id)) else {
            throw DomainError.notFound("organization \(slug)")
        }
        return organization
    }

    public func organization(id: OrganizationID) async throws -> Organization? {
        try await backend.read { db in
            try await db.select().columns(RowDecoding.organizationColumns).from("organizations")
                .where("id", .equal, SQLBind(id.rawValue)).first().map { try RowDecoding.organization($0) }
        }
    }

    public func organization(slug: Slug) async throws -> Organization? {
        try await backend.read { db in
            try await db.select().columns(RowDecoding.organizationColumns).from("organizations")
                .where("slug", .equal, SQLBind(slug.rawValue)).first().map { try RowDecoding.organization($0) }
        }
    }

    public func all() async throws -> [Organization] {
        try await backend.read { db in
            try await db.select().columns(RowDecoding.organizationColumns).from("organizations")
                .orderBy("slug").all().map { try RowDecoding.organization($0) }
        }
    }

    public func setRateLimit(_ perMinute: Int?, for organizationID: OrganizationID) async throws {
        let changed = try await backend.write { db in
            try await db.update("organizations").set("rate_limit_per_minute", to: SQLBind(perMinute))
                .where("id", .equal, SQLBind(organizationID.rawValue))
                .returning("id").all().count
        }
        guard changed == 1 else { throw DomainError.notFound("organization \(organizationID)") }
    }

    public func setMembership(_ membership: Membership) async throws {
        let now = Date().millisecondsSince1970
        try await backend.write { db in
            try await db.insert(into: "memberships")
                .columns("organization_id", "user_id", "role", "created_at")
                .values(SQLBind(membership.organizationID.rawValue), SQLBind(membership.userID.rawValue), SQLBind(membership.role.rawValue), SQLBind(now))
                .onConflict(with: ["organization_id", "user_id"]) { $0.set("role", to: SQLBind(membership.role.rawValue)) }
                .run()
        }
    }

    public func removeMembership(userID: UserID, organizationID: OrganizationID) async throws -> Bool {
        try await backend.write { db in
            try await db.delete(from: "memberships")
                .where("organization_id", .equal, SQLBind(organizationID.rawValue))
                .where("user_id", .equal, SQLBind(userID.rawValue))
                .returning("user_id").all().count == 1
        }
    }

    public func role(of userID: UserID, in organizationID: OrganizationID) async throws -> Role? {
        try await backend.read { db in
            try await db.select().column("role").from("memberships")
                .where("organization_id", .equal, SQLBind(organizationID.rawValue))
                .where("user_id", .equal, SQLBind(userID.rawValue))
                .first(decodingColumn: "role", as: String.self)
                .flatMap(Role.init(rawValue:))
        }
    }

    public func memberships(of userID: UserID) async throws -> [(Organization, Role)] {
        let rows = try await backend.read { db in
            try await db.select()
                .columns(RowDecoding.organizationColumns.map { SQLColumn($0, table: "o") })
                .column(SQLColumn("role", table: "m"))
                .from(SQLAlias(SQLIdentifier("memberships"), as: SQLIdentifier("m")))
                .join(SQLAlias(SQLIdentifier("organizations"), as: SQLIdentifier("o")), on: SQLColumn("id", table: "o"), .equal, SQLColumn("organization_id", table: "m"))
                .where(SQLColumn("user_id", table: "m"), .equal, SQLBind(userID.rawValue))
                .orderBy(SQLColumn("slug", table: "o"))
                .all()
                .map { row in (try RowDecoding.organization(row), try row.decode(column: "role", as: String.self)) }
        }
        return rows.compactMap { organization, role in Role(rawValue: role).map { (organization, $0) } }
    }

    public func members(of organizationID: OrganizationID) async throws -> [(User, Role)] {
        let rows = try await backend.read { db in
            try await db.select()
                .columns(RowDecoding.userColumns.map { SQLColumn($0, table: "u") })
                .column(SQLColumn("role", table: "m"))
                .from(SQLAlias(SQLIdentifier("memberships"), as: SQLIdentifier("m")))
                .join(SQLAlias(SQLIdentifier("users"), as: SQLIdentifier("u")), on: SQLColumn("id", table: "u"), .equal, SQLColumn("user_id", table: "m"))
                .where(SQLColumn("organization_id", table: "m"), .equal, SQLBind(organizationID.rawValue))
                .orderBy(SQLColumn("email", table: "u"))
                .all()
                .map { row in (try RowDecoding.user(row), try row.decode(column: "role", as: String.self)) }
        }
        return rows.compactMap { user, role in Role(rawValue: role).map { (user, $0) } }
    }
}
