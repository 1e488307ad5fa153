/// A member's role in an organization, from least to most powerful.
public enum Role: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Sees everything in the organization, changes nothing.
    case viewer
    /// Triages: resolves, assigns, comments.
    case member
    /// Manages projects, keys and members.
    case admin
    /// Everything an admin does, plus the organization itself.
    case owner

    private var rank: Int {
        switch self {
        case .viewer: 0
        case .member: 1
        case .admin: 2
        case .owner: 3
        }
    }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }
}

/// A user's membership of an organization.
public struct Membership: Sendable, Hashable {
    /// The organization.
    public var organizationID: OrganizationID
    /// The member.
    public var userID: UserID
    /// What the member may do there.
    public var role: Role

    /// Creates a membership value.
    public init(organizationID: OrganizationID, userID: UserID, role: Role) {
        self.organizationID = organizationID
        self.userID = userID
        self.role = role
    }
}
