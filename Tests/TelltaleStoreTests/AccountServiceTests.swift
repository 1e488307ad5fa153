import Testing
import TelltaleCore
import TelltaleStore
import TelltaleTestSupport

@Suite("Account service over real storage")
struct AccountServiceTests {
    private func service(_ store: Store) -> AccountService {
        AccountService(repositories: store.repositories, passwords: TestPasswordHasher(), digester: TestPasswordHasher())
    }

    @Test("bootstrap creates admin, organization, project and key once", arguments: TestDatabase.allCases)
    func bootstrapIsIdempotent(database: TestDatabase) async throws {
        try await database.withStore { store in
            let accounts = service(store)
            let first = try await accounts.bootstrap(adminEmail: "admin@example.com", adminPassword: nil)
            #expect(first.createdAdmin)
            let password = try #require(first.generatedPassword)
            #expect(password.count == 20)
            #expect(try await accounts.authenticate(email: "admin@example.com", password: password)?.isSystemAdmin == true)
            let key = try #require(first.key)
            #expect(key.publicKey.count == 32)

            let second = try await accounts.bootstrap(adminEmail: "admin@example.com", adminPassword: nil)
            #expect(!second.createdAdmin)
            #expect(second.generatedPassword == nil)
            #expect(second.key?.publicKey == key.publicKey)
            #expect(try await store.repositories.users.count() == 1)
            #expect(try await store.repositories.organizations.all().count == 1)
            #expect(try await store.repositories.projects.projects(organizationID: nil).count == 1)
            let org = try #require(try await store.repositories.organizations.all().first)
            let admin = try #require(try await store.repositories.users.user(email: "admin@example.com"))
            #expect(try await store.repositories.organizations.role(of: admin.id, in: org.id) == .owner)
        }
    }

    @Test("bootstrap uses the given admin password", arguments: TestDatabase.allCases)
    func bootstrapWithPassword(database: TestDatabase) async throws {
        try await database.withStore { store in
            let report = try await service(store).bootstrap(adminEmail: "root@example.com", adminPassword: "correct horse")
            #expect(report.generatedPassword == nil)
            #expect(try await service(store).authenticate(email: "root@example.com", password: "correct horse") != nil)
            #expect(try await service(store).authenticate(email: "root@example.com", password: "wrong horse") == nil)
        }
    }

    @Test("tokens resolve to their principal until revoked", arguments: TestDatabase.allCases)
    func tokenPrincipal(database: TestDatabase) async throws {
        try await database.withStore { store in
            let accounts = service(store)
            let user = try await accounts.createUser(email: "ci@example.com", name: nil, password: "password123", isSystemAdmin: false)
            let (token, secret) = try await accounts.issueToken(userID: user.id, name: "ci", scopes: [.projectRead])
            #expect(secret.hasPrefix("tlt_"))
            #expect(secret.hasPrefix(token.prefix))
            let principal = try #require(try await accounts.principal(bearer: secret))
            #expect(principal.user.id == user.id)
            #expect(principal.tokenScopes == [.projectRead])
            try await store.repositories.tokens.revoke(id: token.id)
            #expect(try await accounts.principal(bearer: secret) == nil)
            #expect(try await accounts.principal(bearer: "not-a-token") == nil)
        }
    }

    @Test("bad input is refused with the field named", arguments: TestDatabase.allCases)
    func validation(database: TestDatabase) async throws {
        try await database.withStore { store in
            let accounts = service(store)
            await #expect(throws: DomainError.invalid(ValidationError(field: "email", reason: "is not an email address"))) {
                try await accounts.createUser(email: "nope", name: nil, password: "password123", isSystemAdmin: false)
            }
            await #expect(throws: DomainError.invalid(ValidationError(field: "password", reason: "must be at least 8 characters long"))) {
                try await accounts.createUser(email: "a@b.c", name: nil, password: "short", isSystemAdmin: false)
            }
            let org = try await accounts.createOrganization(slug: nil, name: "My Shop!", owner: nil)
            #expect(org.slug.rawValue == "my-shop")
            await #expect(throws: DomainError.self) {
                try await accounts.createProject(organizationID: org.id, slug: "Bad Slug", name: "x", platform: nil)
            }
        }
    }
}
