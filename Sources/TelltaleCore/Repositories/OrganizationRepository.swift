/// Stores organizations and who belongs to them.
public protocol OrganizationRepository: Sendable {
    /// Creates an organization; `DomainError.conflict` when the slug is taken.
    func create(slug: Slug, name: String) async throws -> Organization
    /// The organization with this id.
    func organization(id: OrganizationID) async throws -> Organization?
    /// The organization with this slug.
    func organization(slug: Slug) async throws -> Organization?
    /// Every organization, by slug.
    func all() async throws -> [Organization]
    /// Sets the organization's events-per-minute limit (`nil`: unlimited).
    func setRateLimit(_ perMinute: Int?, for organizationID: OrganizationID) async throws
    /// Adds a member or changes the member's role.
    func setMembership(_ membership: Membership) async throws
    /// The user's role in the organization, if a member.
    func role(of userID: UserID, in organizationID: OrganizationID) async throws -> Role?
    /// Removes a membership; `false` when there was none.
    func removeMembership(userID: UserID, organizationID: OrganizationID) async throws -> Bool
    /// The organizations a user belongs to, with the user's role in each.
    func memberships(of userID: UserID) async throws -> [(Organization, Role)]
    /// An organization's members, by email.
    func members(of organizationID: OrganizationID) async throws -> [(User, Role)]
}
