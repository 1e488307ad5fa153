import Foundation
import SQLKit
import TelltaleCore

/// Row-to-value mapping shared by the SQL repositories; column lists stay next to it.
enum RowDecoding {
    static let organizationColumns = ["id", "slug", "name", "rate_limit_per_minute", "created_at"]
    static let userColumns = ["id", "email", "name", "password_hash", "is_system_admin", "created_at"]
    static let projectColumns = ["id", "organization_id", "slug", "name", "platform", "settings", "created_at"]
    static let keyColumns = ["id", "project_id", "label", "public_key", "secret_key", "is_active", "rate_limit_per_minute", "created_at"]
    static let tokenColumns = ["id", "user_id", "name", "prefix", "scopes", "created_at", "revoked_at"]

    static func organization(_ row: any SQLRow, prefix: String = "") throws -> Organization {
        Organization(
            id: OrganizationID(try row.decode(column: prefix + "id", as: Int64.self)),
            slug: try Slug(row.decode(column: prefix + "slug", as: String.self)),
            name: try row.decode(column: prefix + "name", as: String.self),
            rateLimitPerMinute: try row.decode(column: prefix + "rate_limit_per_minute", as: Int?.self),
            createdAt: Date(millisecondsSince1970: try row.decode(column: prefix + "created_at", as: Int64.self))
        )
    }

    static func user(_ row: any SQLRow, prefix: String = "") throws -> User {
        User(
            id: UserID(try row.decode(column: prefix + "id", as: Int64.self)),
            email: try row.decode(column: prefix + "email", as: String.self),
            name: try row.decode(column: prefix + "name", as: String.self),
            passwordHash: try row.decode(column: prefix + "password_hash", as: String.self),
            isSystemAdmin: try row.decode(column: prefix + "is_system_admin", as: Bool.self),
            createdAt: Date(millisecondsSince1970: try row.decode(column: prefix + "created_at", as: Int64.self))
        )
    }

    static func project(_ row: any SQLRow) throws -> Project {
        Project(
            id: ProjectID(try row.decode(column: "id", as: Int64.self)),
            organizationID: OrganizationID(try row.decode(column: "organization_id", as: Int64.self)),
            slug: try Slug(row.decode(column: "slug", as: String.self)),
            name: try row.decode(column: "name", as: String.self),
            platform: try row.decode(column: "platform", as: String.self),
            settings: (try? JSONDecoder().decode(ProjectSettings.self, from: Data(row.decode(column: "settings", as: String.self).utf8))) ?? ProjectSettings(),
            createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self))
        )
    }

    static func key(_ row: any SQLRow) throws -> ClientKey {
        ClientKey(
            id: ClientKeyID(try row.decode(column: "id", as: Int64.self)),
            projectID: ProjectID(try row.decode(column: "project_id", as: Int64.self)),
            label: try row.decode(column: "label", as: String.self),
            publicKey: try row.decode(column: "public_key", as: String.self),
            secretKey: try row.decode(column: "secret_key", as: String.self),
            isActive: try row.decode(column: "is_active", as: Bool.self),
            rateLimitPerMinute: try row.decode(column: "rate_limit_per_minute", as: Int?.self),
            createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self))
        )
    }

    static func token(_ row: any SQLRow) throws -> APIToken {
        APIToken(
            id: APITokenID(try row.decode(column: "id", as: Int64.self)),
            userID: UserID(try row.decode(column: "user_id", as: Int64.self)),
            name: try row.decode(column: "name", as: String.self),
            prefix: try row.decode(column: "prefix", as: String.self),
            scopes: try Scope.parseList(row.decode(column: "scopes", as: String.self)),
            createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self)),
            revokedAt: try row.decode(column: "revoked_at", as: Int64?.self).map(Date.init(millisecondsSince1970:))
        )
    }
}
