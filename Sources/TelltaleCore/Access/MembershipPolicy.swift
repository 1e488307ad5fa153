/// The one rule for changing who belongs to an organization, whatever the path (REST API,
/// dashboard, CLI): only owners grant, change or remove the owner role, and an organization
/// always keeps at least one owner.
public enum MembershipPolicy {
    /// What is being done to one membership.
    public enum Change: Sendable, Hashable {
        /// Adding someone who is not a member yet.
        case add(Role)
        /// Changing a member's role from `from` to `to`.
        case change(from: Role, to: Role)
        /// Removing a member who has `current`.
        case remove(current: Role)

        var before: Role? {
            switch self {
            case .add: nil
            case .change(let from, _): from
            case .remove(let current): current
            }
        }

        var after: Role? {
            switch self {
            case .add(let role): role
            case .change(_, let to): to
            case .remove: nil
            }
        }
    }

    /// Throws `DomainError.forbidden` when an actor with `actorRole` (`nil`: not a member)
    /// may not make the change, `DomainError.conflict` when it would leave no owner.
    /// `isInstallationAdmin` is a system administrator or the operator's CLI, who act as owners.
    /// `otherOwners` counts the organization's owners besides the member being changed.
    public static func check(_ change: Change, actorRole: Role?, isInstallationAdmin: Bool, otherOwners: Int) throws(DomainError) {
        let effective: Role? = isInstallationAdmin ? .owner : actorRole
        guard let effective, effective >= .admin else {
            throw .forbidden("managing members needs the admin role")
        }
        if change.before == .owner || change.after == .owner, effective < .owner {
            throw .forbidden("only owners grant, change or remove the owner role")
        }
        if change.before == .owner, change.after != .owner, otherOwners == 0 {
            throw .conflict("an organization needs at least one owner")
        }
    }
}
