/// Membership changes with ``MembershipPolicy`` applied: the API, the dashboard and the CLI
/// all come through here.
extension AccountService {
    /// Who is changing a membership.
    public enum MembershipActor: Sendable {
        /// A signed-in user or token holder.
        case principal(Principal)
        /// The operator at the machine (the CLI), who acts as an owner.
        case installation

        /// The acting user, if a user acts.
        var userID: UserID? {
            if case .principal(let principal) = self { principal.user.id } else { nil }
        }
    }

    /// Adds a user who is not yet a member. A user who already is one gets
    /// `DomainError.conflict`: adding never silently changes a role.
    public func addMember(_ userID: UserID, role: Role, to organizationID: OrganizationID, by actor: MembershipActor) async throws {
        if try await repositories.organizations.role(of: userID, in: organizationID) != nil {
            throw DomainError.conflict("already a member of this organization; change their role instead")
        }
        try await check(.add(role), member: userID, in: organizationID, by: actor)
        try await repositories.organizations.setMembership(Membership(organizationID: organizationID, userID: userID, role: role))
    }

    /// Changes a member's role, or removes them when `role` is `nil`.
    public func changeMember(_ userID: UserID, to role: Role?, in organizationID: OrganizationID, by actor: MembershipActor) async throws {
        guard let current = try await repositories.organizations.role(of: userID, in: organizationID) else {
            throw DomainError.notFound("member")
        }
        if let role {
            guard role != current else { return }
            try await check(.change(from: current, to: role), member: userID, in: organizationID, by: actor)
            try await repositories.organizations.setMembership(Membership(organizationID: organizationID, userID: userID, role: role))
        } else {
            try await check(.remove(current: current), member: userID, in: organizationID, by: actor)
            _ = try await repositories.organizations.removeMembership(userID: userID, organizationID: organizationID)
        }
    }

    /// Checks `change` against ``MembershipPolicy`` for `actor`; one read of the members gives
    /// both the other owners and the actor's role. Returns the members as read.
    @discardableResult
    func check(_ change: MembershipPolicy.Change, member: UserID?, in organizationID: OrganizationID, by actor: MembershipActor) async throws -> [(User, Role)] {
        let members = try await repositories.organizations.members(of: organizationID)
        let owners = members.filter { $0.1 == .owner && $0.0.id != member }.count
        switch actor {
        case .installation:
            try MembershipPolicy.check(change, actorRole: nil, isInstallationAdmin: true, otherOwners: owners)
        case .principal(let principal):
            let role = members.first { $0.0.id == principal.user.id }?.1
            try MembershipPolicy.check(change, actorRole: role, isInstallationAdmin: principal.user.isSystemAdmin, otherOwners: owners)
        }
        return members
    }
}
