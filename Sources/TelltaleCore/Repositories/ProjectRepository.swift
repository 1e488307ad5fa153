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
    /// Renames a project (its slug, and so its DSN, stay).
    func rename(_ projectID: ProjectID, to name: String) async throws
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
