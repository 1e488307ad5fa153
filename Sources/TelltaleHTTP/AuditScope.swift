import Synchronization
public import TelltaleCore

/// The organization a request acted in, as the authorizer found it: set by `Authorizer.check`
/// (which every organization-scoped handler passes through) while `AuditMiddleware` listens,
/// so paths like `PUT /api/0/monitors/4/` are logged in their organization.
public final class AuditScope: Sendable {
    @TaskLocal public static var current: AuditScope?

    private let found = Mutex<OrganizationID?>(nil)

    public init() {}

    public var organization: OrganizationID? { found.withLock { $0 } }

    func note(_ organization: OrganizationID) {
        found.withLock { $0 = organization }
    }
}
