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
    /// The organizations a user belongs to, with the user's role in each.
    func memberships(of userID: UserID) async throws -> [(Organization, Role)]
    /// An organization's members, by email.
    func members(of organizationID: OrganizationID) async throws -> [(User, Role)]
}

/// Stores users.
public protocol UserRepository: Sendable {
    /// Creates a user; `DomainError.conflict` when the email is taken.
    func create(email: String, name: String, passwordHash: String, isSystemAdmin: Bool) async throws -> User
    /// The user with this id.
    func user(id: UserID) async throws -> User?
    /// The user with this (normalized) email.
    func user(email: String) async throws -> User?
    /// Every user, by email.
    func all() async throws -> [User]
    /// How many users exist.
    func count() async throws -> Int
    /// Replaces a user's password hash; `DomainError.notFound` for an unknown user.
    func setPasswordHash(_ hash: String, for userID: UserID) async throws
}

/// Stores projects and their client keys.
public protocol ProjectRepository: Sendable {
    /// Creates a project; `DomainError.conflict` when the slug is taken in the organization.
    func create(organizationID: OrganizationID, slug: Slug, name: String, platform: String) async throws -> Project
    /// The project with this id.
    func project(id: ProjectID) async throws -> Project?
    /// The project with this slug in the organization.
    func project(organizationID: OrganizationID, slug: Slug) async throws -> Project?
    /// Projects of one organization, or of all when `nil`, by organization then slug.
    func projects(organizationID: OrganizationID?) async throws -> [Project]
    /// Replaces a project's ingest settings.
    func updateSettings(_ settings: ProjectSettings, for projectID: ProjectID) async throws
    /// Adds a client key to a project.
    func createKey(projectID: ProjectID, label: String, publicKey: String, secretKey: String) async throws -> ClientKey
    /// A project's keys, oldest first.
    func keys(projectID: ProjectID) async throws -> [ClientKey]
    /// The key with this public part.
    func key(publicKey: String) async throws -> ClientKey?
    /// Activates or deactivates a key and sets its rate limit.
    func updateKey(id: ClientKeyID, isActive: Bool, rateLimitPerMinute: Int?) async throws
}

/// Stores API tokens by the digest of their secret.
public protocol APITokenRepository: Sendable {
    /// Stores a new token.
    func create(userID: UserID, name: String, secretDigest: String, prefix: String, scopes: Set<Scope>) async throws -> APIToken
    /// The live (unrevoked) token whose secret has this digest.
    func token(secretDigest: String) async throws -> APIToken?
    /// A user's tokens, or everyone's when `nil`, newest first.
    func tokens(userID: UserID?) async throws -> [APIToken]
    /// Revokes a token; `DomainError.notFound` if there is no live token with this id.
    func revoke(id: APITokenID) async throws
}
