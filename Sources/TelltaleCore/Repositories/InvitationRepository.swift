public import Foundation

/// Invitations to organizations, found by the digest of their link's secret.
public protocol InvitationRepository: Sendable {
    /// Stores a new invitation, replacing any open one for the same organization and email.
    func create(organizationID: OrganizationID, email: String, role: Role, invitedBy: UserID?,
                digest: String, createdAt: Date, expiresAt: Date) async throws -> Invitation
    /// The invitation whose link has this digest.
    func invitation(digest: String) async throws -> Invitation?
    /// The organization's invitations that are neither accepted nor expired.
    func open(organizationID: OrganizationID, now: Date) async throws -> [Invitation]
    /// Marks it accepted and adds the membership in one transaction; `false` when it was
    /// already accepted or had expired (two tabs, two clicks: one wins).
    func accept(_ id: InvitationID, userID: UserID, now: Date) async throws -> Bool
    /// Withdraws an open invitation; `false` when there was none.
    func revoke(_ id: InvitationID, organizationID: OrganizationID) async throws -> Bool
}

/// Failed sign-ins, kept in the database so a restart or another node does not forget them.
public protocol LoginFailureRepository: Sendable {
    /// The times of failures under `key` at or after `since`, oldest first.
    func failures(key: String, since: Date) async throws -> [Date]
    /// Records one failure under each key.
    func record(keys: [String], at: Date) async throws
    /// Forgets the failures under `key` (after a successful sign-in).
    func clear(key: String) async throws
    /// Removes failures older than `before`; returns how many.
    func purge(before: Date) async throws -> Int
}
