/// Who is calling, once authenticated, and how far their credential reaches.
public struct Principal: Sendable, Hashable {
    /// The user behind the credential.
    public var user: User
    /// Scopes of the API token used, or `nil` for a signed-in session (all of the user's rights).
    public var tokenScopes: Set<Scope>?

    /// Creates a principal.
    public init(user: User, tokenScopes: Set<Scope>?) {
        self.user = user
        self.tokenScopes = tokenScopes
    }
}

/// What a caller wants to do to an organization or its contents.
public enum Action: Sendable, Hashable {
    /// Read organization data (projects, issues, events).
    case view
    /// Triage: change issue status, assign, comment.
    case triage
    /// Manage projects, keys and members.
    case manage
    /// Delete or transfer the organization.
    case own

    /// The least role that may do this.
    public var minimumRole: Role {
        switch self {
        case .view: .viewer
        case .triage: .member
        case .manage: .admin
        case .own: .owner
        }
    }
}

/// Decides whether a principal may act on an organization. Pure: the caller looks up the role.
public enum AccessPolicy {
    /// `true` when the principal may perform `action` in an organization where it has `role`
    /// (`nil`: not a member), and the token (if any) carries `scope`.
    public static func allows(_ principal: Principal, _ action: Action, role: Role?, scope: Scope) -> Bool {
        if let scopes = principal.tokenScopes, !covers(scopes, scope) {
            return false
        }
        if principal.user.isSystemAdmin { return true }
        guard let role else { return false }
        return role >= action.minimumRole
    }

    /// The role a principal acts with in an organization where it has `role`: system
    /// administrators act as owners everywhere.
    public static func effectiveRole(_ principal: Principal, role: Role?) -> Role? {
        principal.user.isSystemAdmin ? .owner : role
    }

    /// Whether holding `scopes` includes `scope`, directly or by implication.
    public static func covers(_ scopes: Set<Scope>, _ scope: Scope) -> Bool {
        scopes.contains(scope) || scopes.contains { implies($0, scope) }
    }

    /// `admin` implies `write` implies `read` within the same resource (`project:admin` ⊇ `project:read`).
    static func implies(_ granted: Scope, _ wanted: Scope) -> Bool {
        let grantedParts = granted.rawValue.split(separator: ":")
        let wantedParts = wanted.rawValue.split(separator: ":")
        guard grantedParts[0] == wantedParts[0] else { return false }
        let rank = ["read": 0, "write": 1, "admin": 2]
        return (rank[String(grantedParts[1])] ?? -1) >= (rank[String(wantedParts[1])] ?? 3)
    }
}
