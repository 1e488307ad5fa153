import ArgumentParser
import Foundation
import SentryProtocol
import TelltaleApp
import TelltaleCore

/// `telltale user …`
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage users.", subcommands: [Create.self, List.self, SetPassword.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user (the password is generated and printed when not given).")
        @OptionGroup var options: CommonOptions
        @Option(help: "Sign-in email.") var email: String
        @Option(help: "Display name.") var name: String?
        @Option(help: "Password (8–72 bytes).") var password: String?
        @Flag(help: "Make the user a system administrator.") var systemAdmin = false
        @Option(help: "Add the user to this organization (slug).") var org: String?
        @Option(help: "Role in that organization: owner, admin, member or viewer.") var role: String = "member"

        func validate() throws {
            guard Role(rawValue: role) != nil else { throw ValidationError("--role must be owner, admin, member or viewer") }
        }

        func run() async throws {
            let generated = password == nil ? SecretGenerator.password() : nil
            let user = try await options.withAccounts { accounts, repositories, _ in
                let user = try await accounts.createUser(email: email, name: name, password: password ?? generated!, isSystemAdmin: systemAdmin)
                if let org {
                    let organization = try await OrgCommand.find(org, repositories)
                    try await accounts.addMember(user.id, role: Role(rawValue: role)!, to: organization.id, by: .installation)
                }
                return user
            }
            Console.out("Created user \(user.email) (id \(user.id))\(user.isSystemAdmin ? ", system administrator" : "").")
            if let generated { Console.out("Password: \(generated)") }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users.")
        @OptionGroup var options: CommonOptions

        func run() async throws {
            let users = try await options.withAccounts { _, repositories, _ in try await repositories.users.all() }
            Console.table(["ID", "EMAIL", "NAME", "ADMIN"], users.map { [$0.id.description, $0.email, $0.name, $0.isSystemAdmin ? "yes" : ""] })
        }
    }

    struct SetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-password", abstract: "Set a user's password.")
        @OptionGroup var options: CommonOptions
        @Option(help: "The user's email.") var email: String
        @Option(help: "New password; generated and printed when not given.") var password: String?

        func run() async throws {
            let newPassword = password ?? SecretGenerator.password()
            try await options.withAccounts { accounts, _, _ in try await accounts.setPassword(email: email, password: newPassword) }
            Console.out("Password changed for \(email.lowercased()).")
            if password == nil { Console.out("Password: \(newPassword)") }
        }
    }
}

/// `telltale org …`
struct OrgCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "org", abstract: "Manage organizations.", subcommands: [Create.self, List.self, Configure.self]
    )

    static func find(_ slugText: String, _ repositories: Repositories) async throws -> Organization {
        guard let slug = try? Slug(slugText), let organization = try await repositories.organizations.organization(slug: slug) else {
            throw DomainError.notFound("organization '\(slugText)'")
        }
        return organization
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an organization.")
        @OptionGroup var options: CommonOptions
        @Option(help: "Display name.") var name: String
        @Option(help: "URL name; derived from the name when not given.") var slug: String?
        @Option(help: "Email of a user to make its owner.") var owner: String?

        func run() async throws {
            let organization = try await options.withAccounts { accounts, repositories, _ in
                var ownerID: UserID?
                if let owner {
                    guard let user = try await repositories.users.user(email: owner.lowercased()) else { throw DomainError.notFound("user \(owner)") }
                    ownerID = user.id
                }
                return try await accounts.createOrganization(slug: slug, name: name, owner: ownerID)
            }
            Console.out("Created organization \(organization.slug) (id \(organization.id)).")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List organizations.")
        @OptionGroup var options: CommonOptions

        func run() async throws {
            let organizations = try await options.withAccounts { _, repositories, _ in try await repositories.organizations.all() }
            Console.table(["ID", "SLUG", "NAME"], organizations.map { [$0.id.description, $0.slug.rawValue, $0.name] })
        }
    }
}

/// `telltale project …`
struct ProjectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "project", abstract: "Manage projects.", subcommands: [Create.self, List.self, Configure.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a project with a client key and print its DSN.")
        @OptionGroup var options: CommonOptions
        @Option(help: "Organization slug.") var org: String
        @Option(help: "Display name.") var name: String
        @Option(help: "URL name; derived from the name when not given.") var slug: String?
        @Option(help: "Platform (python, javascript, go, other…).") var platform: String?

        func run() async throws {
            let (project, dsn) = try await options.withAccounts { accounts, repositories, configuration in
                let organization = try await OrgCommand.find(org, repositories)
                let (project, key) = try await accounts.createProject(organizationID: organization.id, slug: slug, name: name, platform: platform)
                return (project, DSN(baseURL: configuration.publicURL, publicKey: key.publicKey, projectID: project.id.description)?.description ?? "")
            }
            Console.out("Created project \(project.slug) (id \(project.id)).\nDSN: \(dsn)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List projects with their DSNs.")
        @OptionGroup var options: CommonOptions
        @Option(help: "Only this organization's projects.") var org: String?

        func run() async throws {
            let rows = try await options.withAccounts { _, repositories, configuration in
                let organizations = try await repositories.organizations.all()
                var filter: OrganizationID?
                if let org { filter = try await OrgCommand.find(org, repositories).id }
                var rows: [[String]] = []
                for project in try await repositories.projects.projects(organizationID: filter) {
                    let orgSlug = organizations.first { $0.id == project.organizationID }?.slug.rawValue ?? ""
                    let key = try await repositories.projects.keys(projectID: project.id).first(where: \.isActive)
                    let dsn = key.flatMap { DSN(baseURL: configuration.publicURL, publicKey: $0.publicKey, projectID: project.id.description)?.description }
                    rows.append([project.id.description, orgSlug, project.slug.rawValue, project.platform, dsn ?? "(no active key)"])
                }
                return rows
            }
            Console.table(["ID", "ORG", "SLUG", "PLATFORM", "DSN"], rows)
        }
    }
}

/// `telltale token …`
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Manage API tokens.", subcommands: [Create.self, Revoke.self, List.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API token; its secret is printed once.")
        @OptionGroup var options: CommonOptions
        @Option(help: "Email of the user whose rights the token carries.") var user: String
        @Option(help: "Name to recognise the token by.") var name: String
        @Option(help: "Space- or comma-separated scopes, e.g. \"org:read project:write event:read\".") var scopes: String

        func validate() throws {
            do { _ = try Scope.parseList(scopes) } catch { throw ValidationError("--scopes: \(error.reason)") }
        }

        func run() async throws {
            let (token, secret) = try await options.withAccounts { accounts, repositories, _ in
                guard let owner = try await repositories.users.user(email: user.lowercased()) else { throw DomainError.notFound("user \(user)") }
                return try await accounts.issueToken(userID: owner.id, name: name, scopes: try Scope.parseList(scopes))
            }
            Console.out("Created token \(token.id) '\(token.name)' with scopes: \(Scope.format(token.scopes))")
            Console.out("Secret (shown only now): \(secret)")
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an API token by id.")
        @OptionGroup var options: CommonOptions
        @Argument(help: "The token's id (see 'telltale token list').") var id: Int64

        func run() async throws {
            try await options.withAccounts { _, repositories, _ in try await repositories.tokens.revoke(id: APITokenID(id)) }
            Console.out("Revoked token \(id).")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List API tokens (never their secrets).")
        @OptionGroup var options: CommonOptions

        func run() async throws {
            let rows = try await options.withAccounts { _, repositories, _ in
                let users = try await repositories.users.all()
                return try await repositories.tokens.tokens(userID: nil).map { token in
                    [token.id.description, users.first { $0.id == token.userID }?.email ?? "", token.name, token.prefix + "…",
                     Scope.format(token.scopes), token.revokedAt == nil ? "live" : "revoked"]
                }
            }
            Console.table(["ID", "USER", "NAME", "PREFIX", "SCOPES", "STATE"], rows)
        }
    }
}
