import Foundation

/// Creates users, organizations, projects, keys and tokens with their rules applied;
/// shared by the CLI, the REST API and first-start bootstrap.
public struct AccountService: Sendable {
    let repositories: Repositories
    let passwords: any PasswordHasher
    let digester: any SecretDigester

    /// Creates the service over the repositories.
    public init(repositories: Repositories, passwords: any PasswordHasher, digester: any SecretDigester) {
        self.repositories = repositories
        self.passwords = passwords
        self.digester = digester
    }

    /// Creates a user after checking email and password.
    public func createUser(email: String, name: String?, password: String, isSystemAdmin: Bool) async throws -> User {
        let email = try normalized { () throws(ValidationError) in try User.normalizedEmail(email) }
        try validated { () throws(ValidationError) in try User.validatePassword(password) }
        if try await repositories.users.user(email: email) != nil {
            throw DomainError.conflict("a user with email \(email) already exists")
        }
        let hash = try await passwords.hash(password)
        let displayName = name ?? String(email.prefix(while: { $0 != "@" }))
        return try await repositories.users.create(email: email, name: displayName, passwordHash: hash, isSystemAdmin: isSystemAdmin)
    }

    /// Sets a user's password after checking it.
    public func setPassword(email: String, password: String) async throws {
        let email = try normalized { () throws(ValidationError) in try User.normalizedEmail(email) }
        try validated { () throws(ValidationError) in try User.validatePassword(password) }
        guard let user = try await repositories.users.user(email: email) else { throw DomainError.notFound("user \(email)") }
        try await repositories.users.setPasswordHash(try await passwords.hash(password), for: user.id)
    }

    /// Checks a user's password; `nil` when the email or password is wrong.
    public func authenticate(email: String, password: String) async throws -> User? {
        guard let email = try? User.normalizedEmail(email),
              let user = try await repositories.users.user(email: email)
        else {
            // As slow as a wrong password, so timing does not reveal which emails have accounts.
            try await passwords.verifyWithoutAccount(password)
            return nil
        }
        return try await passwords.verify(password, hash: user.passwordHash) ? user : nil
    }

    /// Creates an organization and, when given, makes `owner` its owner.
    public func createOrganization(slug: String?, name: String, owner: UserID?) async throws -> Organization {
        let name = try displayName(name)
        let slug = try slugOrDerived(slug, from: name)
        let organization = try await repositories.organizations.create(slug: slug, name: name)
        if let owner {
            try await repositories.organizations.setMembership(Membership(organizationID: organization.id, userID: owner, role: .owner))
        }
        for draft in try DefaultAlertRules.drafts() {
            _ = try await repositories.alerts.createRule(organizationID: organization.id, draft, now: Date())
        }
        return organization
    }

    /// Creates a project with one active client key.
    public func createProject(organizationID: OrganizationID, slug: String?, name: String, platform: String?) async throws -> (Project, ClientKey) {
        let name = try displayName(name)
        let slug = try slugOrDerived(slug, from: name)
        let platform = platform ?? "other"
        try validated { () throws(ValidationError) in try Project.validatePlatform(platform) }
        let project = try await repositories.projects.create(organizationID: organizationID, slug: slug, name: name, platform: platform)
        let key = try await createKey(projectID: project.id, label: "Default")
        return (project, key)
    }

    /// Adds a new client key (32 hex characters, as Sentry issues them) to a project.
    public func createKey(projectID: ProjectID, label: String) async throws -> ClientKey {
        try await repositories.projects.createKey(
            projectID: projectID,
            label: label,
            publicKey: SecretGenerator.hex(byteCount: 16),
            secretKey: SecretGenerator.hex(byteCount: 16)
        )
    }

    /// Issues an API token; the returned secret is shown once and never stored.
    public func issueToken(userID: UserID, name: String, scopes: Set<Scope>) async throws -> (APIToken, secret: String) {
        let name = try displayName(name)
        guard !scopes.isEmpty else { throw DomainError.invalid(ValidationError(field: "scopes", reason: "must name at least one scope")) }
        let secret = APIToken.secretPrefix + SecretGenerator.hex(byteCount: 32)
        let token = try await repositories.tokens.create(
            userID: userID,
            name: name,
            secretDigest: digester.digest(secret),
            prefix: String(secret.prefix(APIToken.secretPrefix.count + 6)),
            scopes: scopes
        )
        return (token, secret)
    }

    /// Resolves a bearer secret to its principal; `nil` for unknown or revoked tokens.
    public func principal(bearer secret: String) async throws -> Principal? {
        guard secret.hasPrefix(APIToken.secretPrefix), secret.utf8.count <= 128,
              let token = try await repositories.tokens.token(secretDigest: digester.digest(secret)),
              let user = try await repositories.users.user(id: token.userID)
        else { return nil }
        return Principal(user: user, tokenScopes: token.scopes)
    }

    /// The given slug, validated, or one derived from the display name.
    private func slugOrDerived(_ slug: String?, from name: String) throws -> Slug {
        if let slug { return try normalized { () throws(ValidationError) in try Slug(slug) } }
        guard let derived = Slug.derived(from: name) else {
            throw DomainError.invalid(ValidationError(field: "slug", reason: "cannot be derived from the name; give one"))
        }
        return derived
    }

    private func displayName(_ name: String) throws -> String {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(trimmed.count) else {
            throw DomainError.invalid(ValidationError(field: "name", reason: "must be 1 to 100 characters long"))
        }
        return trimmed
    }

    func normalized<T>(_ body: () throws(ValidationError) -> T) throws -> T {
        do { return try body() } catch { throw DomainError.invalid(error) }
    }

    func validated(_ body: () throws(ValidationError) -> Void) throws {
        do { try body() } catch { throw DomainError.invalid(error) }
    }
}
