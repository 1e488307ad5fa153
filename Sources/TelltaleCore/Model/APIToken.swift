public import Foundation

/// A bearer token for the REST API. Only a digest of the secret is stored; the secret is
/// shown once, when the token is created.
public struct APIToken: Sendable, Hashable {
    /// Row id.
    public var id: APITokenID
    /// Whose rights the token carries (never more than the user has).
    public var userID: UserID
    /// Name shown in settings.
    public var name: String
    /// The first characters of the secret, to tell tokens apart in lists.
    public var prefix: String
    /// What the token may do.
    public var scopes: Set<Scope>
    /// When it was created.
    public var createdAt: Date
    /// When it was revoked; revoked tokens are refused.
    public var revokedAt: Date?

    /// Creates a token value.
    public init(id: APITokenID, userID: UserID, name: String, prefix: String, scopes: Set<Scope>, createdAt: Date, revokedAt: Date?) {
        self.id = id
        self.userID = userID
        self.name = name
        self.prefix = prefix
        self.scopes = scopes
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    /// The secret's recognisable start; lets secret scanners and people spot a Telltale token.
    public static let secretPrefix = "tlt_"
}

/// What an API token may do, named as Sentry names its token scopes.
public enum Scope: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case orgRead = "org:read"
    case orgWrite = "org:write"
    case orgAdmin = "org:admin"
    case projectRead = "project:read"
    case projectWrite = "project:write"
    case projectAdmin = "project:admin"
    case eventRead = "event:read"
    case eventWrite = "event:write"
    case eventAdmin = "event:admin"
    case memberRead = "member:read"
    case memberWrite = "member:write"
    case memberAdmin = "member:admin"

    public static func < (lhs: Scope, rhs: Scope) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Parses a space- or comma-separated list; throws naming the first unknown scope.
    public static func parseList(_ text: String) throws(ValidationError) -> Set<Scope> {
        var scopes = Set<Scope>()
        for word in text.split(whereSeparator: { $0 == " " || $0 == "," }) {
            guard let scope = Scope(rawValue: String(word)) else {
                throw ValidationError(field: "scopes", reason: "unknown scope '\(word)'; known: \(Scope.allCases.map(\.rawValue).joined(separator: " "))")
            }
            scopes.insert(scope)
        }
        return scopes
    }

    /// Space-separated, sorted: how scopes are stored and shown.
    public static func format(_ scopes: Set<Scope>) -> String {
        scopes.sorted().map(\.rawValue).joined(separator: " ")
    }
}
