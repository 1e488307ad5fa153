/// What first start created, so that the caller can tell the operator once.
public struct BootstrapReport: Sendable {
    /// The administrator's email.
    public var adminEmail: String
    /// The generated password when one was made (print it once); `nil` when given or existing.
    public var generatedPassword: String?
    /// Whether this start created the administrator.
    public var createdAdmin: Bool
    /// The default project and its first active key, for the DSN.
    public var project: Project?
    /// The key whose DSN to print.
    public var key: ClientKey?
}

extension AccountService {
    /// Makes sure an administrator, an organization and a project with a key exist.
    ///
    /// Each step checks before it creates, so a second start (or a start after a crash
    /// between steps) completes what is missing and duplicates nothing.
    public func bootstrap(adminEmail: String, adminPassword: String?) async throws -> BootstrapReport {
        var report = BootstrapReport(adminEmail: adminEmail, generatedPassword: nil, createdAdmin: false)
        let admin: User
        if try await repositories.users.count() == 0 {
            let password = adminPassword ?? SecretGenerator.password()
            admin = try await createUser(email: adminEmail, name: "Administrator", password: password, isSystemAdmin: true)
            report.createdAdmin = true
            report.generatedPassword = adminPassword == nil ? password : nil
        } else if let existing = try await repositories.users.user(email: adminEmail) {
            admin = existing
        } else {
            // Another administrator was set up by hand; bootstrap leaves users alone.
            let users = try await repositories.users.all()
            admin = users.first(where: \.isSystemAdmin) ?? users[0]
        }
        report.adminEmail = admin.email

        let organization: Organization
        if let first = try await repositories.organizations.all().first {
            organization = first
        } else {
            organization = try await createOrganization(slug: "default", name: "Default", owner: admin.id)
        }

        if let project = try await repositories.projects.projects(organizationID: nil).first {
            report.project = project
            report.key = try await repositories.projects.keys(projectID: project.id).first(where: \.isActive)
        } else {
            let (project, key) = try await createProject(organizationID: organization.id, slug: "default", name: "Default", platform: "other")
            report.project = project
            report.key = key
        }
        return report
    }
}
