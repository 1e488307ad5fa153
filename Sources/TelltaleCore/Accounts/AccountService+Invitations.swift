public import Foundation

/// Adding people to an organization: an invitation link that the invited person accepts by
/// signing in, or by creating an account, with the invited email. The inviter learns nothing
/// about whether that email has an account.
extension AccountService {
    /// Invites `email` with `role`; returns the invitation and the link's secret (shown once).
    /// The inviter must be allowed to grant `role` (``MembershipPolicy``).
    public func invite(email: String, role: Role, to organizationID: OrganizationID, by actor: MembershipActor,
                       now: Date = Date()) async throws -> (Invitation, secret: String) {
        let email = try normalized { () throws(ValidationError) in try User.normalizedEmail(email) }
        let members = try await check(.add(role), member: nil, in: organizationID, by: actor)
        // Members are visible to whoever may invite, so saying so reveals nothing new.
        if members.contains(where: { $0.0.email == email }) {
            throw DomainError.conflict("\(email) is already a member of this organization; change their role instead")
        }
        let secret = SecretGenerator.hex(byteCount: 32)
        let invitation = try await repositories.invitations.create(
            organizationID: organizationID, email: email, role: role, invitedBy: actor.userID,
            digest: digester.digest(secret), createdAt: now, expiresAt: now.addingTimeInterval(Invitation.lifetime)
        )
        return (invitation, secret)
    }

    /// The open invitation behind a link's secret; `nil` for unknown, used or expired ones.
    public func invitation(secret: String, now: Date = Date()) async throws -> Invitation? {
        guard secret.utf8.count == 64, secret.allSatisfy(\.isHexDigit),
              let invitation = try await repositories.invitations.invitation(digest: digester.digest(secret)),
              invitation.isOpen(at: now)
        else { return nil }
        return invitation
    }

    /// Accepts an invitation as `user`, whose email must be the invited one.
    public func accept(_ invitation: Invitation, as user: User, now: Date = Date()) async throws {
        guard user.email == invitation.email else {
            throw DomainError.forbidden("this invitation is for \(invitation.email); sign in with that address to accept it")
        }
        guard try await repositories.invitations.accept(invitation.id, userID: user.id, now: now) else {
            throw DomainError.notFound("invitation")
        }
    }

    /// Accepts an invitation by creating the invited person's account. When the email already
    /// has an account the answer asks them to sign in: only the invited person sees that.
    public func acceptCreatingAccount(_ invitation: Invitation, name: String?, password: String, now: Date = Date()) async throws -> User {
        if try await repositories.users.user(email: invitation.email) != nil {
            throw DomainError.conflict("\(invitation.email) already has an account: sign in to accept the invitation")
        }
        let user = try await createUser(email: invitation.email, name: name, password: password, isSystemAdmin: false)
        try await accept(invitation, as: user, now: now)
        return user
    }
}
