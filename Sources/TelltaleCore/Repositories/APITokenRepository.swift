/// Stores API tokens by the digest of their secret.
public protocol APITokenRepository: Sendable {
    /// Stores a new token.
    func create(userID: UserID, name: String, secretDigest: String, prefix: String, scopes: Set<Scope>) async throws -> APIToken
    /// The live (unrevoked) token whose secret has this digest.
    func token(secretDigest: String) async throws -> APIToken?
    /// A user's tokens, or everyone's when `nil`, newest first.
    func tokens(userID: UserID?) async throws -> [APIToken]
    /// Revokes a token; `DomainError.notFound` if there is no live token with this id.
    func revoke(id: APITokenID) async throws
}
