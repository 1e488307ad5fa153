import Foundation
import SQLKit
public import TelltaleCore

/// Projects and client keys in SQL.
public struct ProjectSQLRepository: ProjectRepository {
    let backend: any SQLBackend

    public func create(organizationID: OrganizationID, slug: Slug, name: String, platform: String) async throws -> Project {
        let now = Date().millisecondsSince1970
        let id = try await backend.mapConflict("a project with slug \(slug) already exists in this organization") {
            try await backend.write { db in
                try await db.insert(into: "projects")
                    .columns("organization_id", "slug", "name", "platform", "created_at")
                    .values(SQLBind(organizationID.rawValue), SQLBind(slug.rawValue), SQLBind(name), SQLBind(platform), SQLBind(now))
                    .returning("id")
                    .first(decodingColumn: "id", as: Int64.self)
            }
        }
        guard let id, let project = try await project(id: ProjectID(id)) else { throw DomainError.notFound("project \(slug)") }
        return project
    }

    public func project(id: ProjectID) async throws -> Project? {
        try await backend.read { db in
            try await db.select().columns(RowDecoding.projectColumns).from("projects")
                .where("id", .equal, SQLBind(id.rawValue)).first().map { try RowDecoding.project($0) }
        }
    }

    public func project(organizationID: OrganizationID, slug: Slug) async throws -> Project? {
        try await backend.read { db in
            try await db.select().columns(RowDecoding.projectColumns).from("projects")
                .where("organization_id", .equal, SQLBind(organizationID.rawValue))
                .where("slug", .equal, SQLBind(slug.rawValue))
                .first().map { try RowDecoding.project($0) }
        }
    }

    public func projects(organizationID: OrganizationID?) async throws -> [Project] {
        try await backend.read { db in
            var query = db.select().columns(RowDecoding.projectColumns).from("projects")
            if let organizationID {
                query = query.where("organization_id", .equal, SQLBind(organizationID.rawValue))
            }
            return try await query.orderBy("organization_id").orderBy("slug").all().map { try RowDecoding.project($0) }
        }
    }

    public func rename(_ projectID: ProjectID, to name: String) async throws {
        let changed = try await backend.write { db in
            try await db.update("projects").set("name", to: SQLBind(name))
                .where("id", .equal, SQLBind(projectID.rawValue))
                .returning("id").all().count
        }
        guard changed == 1 else { throw DomainError.notFound("project \(projectID)") }
    }

    public func updateSettings(_ settings: ProjectSettings, for projectID: ProjectID) async throws {
        let text = String(decoding: try JSONEncoder().encode(settings), as: UTF8.self)
        let changed = try await backend.write { db in
            try await db.update("projects").set("settings", to: SQLBind(text))
                .where("id", .equal, SQLBind(projectID.rawValue))
                .returning("id").all().count
        }
        guard changed == 1 else { throw DomainError.notFound("project \(projectID)") }
    }

    public func createKey(projectID: ProjectID, label: String, publicKey: String, secretKey: String) async throws -> ClientKey {
        let now = Date().millisecondsSince1970
        let id = try await backend.mapConflict("a client key with this public key already exists") {
            try await backend.write { db in
                try await db.insert(into: "client_keys")
                    .columns("project_id", "label", "public_key", "secret_key", "is_active", "created_at")
                    .values(SQLBind(projectID.rawValue), SQLBind(label), SQLBind(publicKey), SQLBind(secretKey), SQLBind(true), SQLBind(now))
                    .returning("id")
                    .first(decodingColumn: "id", as: Int64.self)
            }
        }
        guard id != nil, let key = try await key(publicKey: publicKey) else { throw DomainError.notFound("client key") }
        return key
    }

    public func keys(projectID: ProjectID) async throws -> [ClientKey] {
        try await backend.read { db in
            try await db.select().columns(RowDecoding.keyColumns).from("client_keys")
                .where("project_id", .equal, SQLBind(projectID.rawValue))
                .orderBy("id").all().map { try RowDecoding.key($0) }
        }
    }

    public func key(publicKey: String) async throws -> ClientKey? {
        try await backend.read { db in
            try await db.select().columns(RowDecoding.keyColumns).from("client_keys")
                .where("public_key", .equal, SQLBind(publicKey)).first().map { try RowDecoding.key($0) }
        }
    }

    public func updateKey(id: ClientKeyID, isActive: Bool, rateLimitPerMinute: Int?) async throws {
        let changed = try await backend.write { db in
            try await db.update("client_keys")
                .set("is_active", to: SQLBind(isActive))
                .set("rate_limit_per_minute", to: SQLBind(rateLimitPerMinute))
                .where("id", .equal, SQLBind(id.rawValue))
                .returning("id").all().count
        }
        guard changed == 1 else { throw DomainError.notFound("client key \(id)") }
    }
}
