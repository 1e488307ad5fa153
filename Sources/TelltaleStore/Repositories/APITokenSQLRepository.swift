import Foundation
import SQLKit
public import TelltaleCore

/// API tokens in SQL, found by the digest of their secret.
public struct APITokenSQLRepository: APITokenRepository {
    let backend: any SQLBackend

    public func create(userID: UserID, name: String, secretDigest: String, prefix: String, scopes: Set<Scope>) async throws -> APIToken {
        let now = Date().millisecondsSince1970
        let id = try await backend.mapConflict("token collision; try again") {
            try await backend.write { db in
                try await db.insert(into: "api_tokens")
                    .columns("user_id", "name", "secret_digest", "prefix", "scopes", "created_at")
                    .values(SQLBind(userID.rawValue), SQLBind(name), SQLBind(secretDigest), SQLBind(prefix), SQLBind(Scope.format(scopes)), SQLBind(now))
                    .returning("id")
                    .first(decodingColumn: "id", as: Int64.self)
            }
        }
        guard let id else { throw DomainError.notFound("token") }
        return APIToken(id: APITokenID(id), userID: userID, name: name, prefix: prefix, scopes: scopes, createdAt: Date(millisecondsSince1970: now), revokedAt: nil)
    }

    public func token(secretDigest: String) async throws -> APIToken? {
        try await backend.read { db in
            try await db.select().columns(RowDecoding.tokenColumns).from("api_tokens")
                .where("secret_digest", .equal, SQLBind(secretDigest))
                .where("revoked_at", .is, SQLLiteral.null)
                .first().map { try RowDecoding.token($0) }
        }
    }

    public func tokens(userID: UserID?) async throws -> [APIToken] {
        try await backend.read { db in
            var query = db.select().columns(RowDecoding.tokenColumns).from("api_tokens")
            if let userID { query = query.where("user_id", .equal, SQLBind(userID.rawValue)) }
            return try await query.orderBy("id", .descending).all().map { try RowDecoding.token($0) }
        }
    }

    public func revoke(id: APITokenID) async throws {
        let now = Date().millisecondsSince1970
        let changed = try await backend.write { db in
            try await db.update("api_tokens").set("revoked_at", to: SQLBind(now))
                .where("id", .equal, SQLBind(id.rawValue))
                .where("revoked_at", .is, SQLLiteral.null)
                .returning("id").all().count
        }
        guard changed == 1 else { throw DomainError.notFound("live token \(id)") }
    }
}
