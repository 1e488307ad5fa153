public import Foundation

/// An invitation to join an organization with a role. The link carries a random secret;
/// only its digest is stored. Whoever opens the link signs in (or creates an account) with
/// the invited email to accept, so an inviter never learns whether that email has an account.
public struct Invitation: Sendable, Hashable {
    /// The row id.
    public var id: InvitationID
    /// The organization to join.
    public var organizationID: OrganizationID
    /// The invited address (normalized).
    public var email: String
    /// The role granted on acceptance.
    public var role: Role
    /// Who invited (`nil`: the operator, through the CLI).
    public var invitedBy: UserID?
    /// When it was made.
    public var createdAt: Date
    /// After this the link no longer works.
    public var expiresAt: Date
    /// When it was accepted, if it was.
    public var acceptedAt: Date?

    public init(id: InvitationID, organizationID: OrganizationID, email: String, role: Role, invitedBy: UserID?,
                createdAt: Date, expiresAt: Date, acceptedAt: Date?) {
        self.id = id
        self.organizationID = organizationID
        self.email = email
        self.role = role
        self.invitedBy = invitedBy
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.acceptedAt = acceptedAt
    }

    /// How long a link works.
    public static let lifetime: TimeInterval = 7 * 86_400

    /// Whether the link can still be accepted at `now`.
    public func isOpen(at now: Date) -> Bool { acceptedAt == nil && now < expiresAt }
}

extension Invitation {
    /// The dashboard link that accepts an invitation.
    public static func link(publicURL: String, secret: String) -> String {
        publicURL + "/invitations/" + secret
    }
}
