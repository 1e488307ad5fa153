import Foundation
import SQLKit
import Testing
import TelltaleCore
import TelltaleStore
import TelltaleTestSupport

/// The repository contract, run once per database.
@Suite("Account repositories")
struct AccountRepositoryTests {
    @Test("organizations: create, find, unique slug", arguments: TestDatabase.allCases)
    func organizations(database: TestDatabase) async throws {
        try await database.withStore { store in
            let repo = store.repositories.organizations
            let created = try await repo.create(slug: Slug("acme"), name: "Acme")
            #expect(created.slug.rawValue == "acme")
            #expect(try await repo.organization(id: created.id) == created)
            #expect(try await repo.organization(slug: Slug("acme"))?.id == created.id)
            await #expect(throws: DomainError.conflict("an organization with slug acme already exists")) {
                try await repo.create(slug: Slug("acme"), name: "Other")
            }
            _ = try await repo.create(slug: Slug("beta"), name: "Beta")
            #expect(try await repo.all().map(\.slug.rawValue) == ["acme", "beta"])
        }
    }

    @Test("users: create, find by email, set password, count", arguments: TestDatabase.allCases)
    func users(database: TestDatabase) async throws {
        try await database.withStore { store in
            let repo = store.repositories.users
            #expect(try await repo.count() == 0)
            let user = try await repo.create(email: "ann@example.com", name: "Ann", passwordHash: "h1", isSystemAdmin: true)
            #expect(user.isSystemAdmin)
            #expect(try await repo.user(email: "ANN@example.com")?.id == user.id)
            try await repo.setPasswordHash("h2", for: user.id)
            #expect(try await repo.user(id: user.id)?.passwordHash == "h2")
            await #expect(throws: DomainError.self) {
                try await repo.setPasswordHash("h3", for: UserID(9999))
            }
            await #expect(throws: DomainError.self) {
                try await repo.create(email: "ann@example.com", name: "Dup", passwordHash: "x", isSystemAdmin: false)
            }
            #expect(try await repo.count() == 1)
        }
    }

    @Test("memberships: roles per organization", arguments: TestDatabase.allCases)
    func memberships(database: TestDatabase) async throws {
        try await database.withStore { store in
            let orgs = store.repositories.organizations
            let acme = try await orgs.create(slug: Slug("acme"), name: "Acme")
            let beta = try await orgs.create(slug: Slug("beta"), name: "Beta")
            let ann = try await store.repositories.users.create(email: "ann@example.com", name: "Ann", passwordHash: "h", isSystemAdmin: false)
            try await orgs.setMembership(Membership(organizationID: acme.id, userID: ann.id, role: .viewer))
            try await orgs.setMembership(Membership(organizationID: acme.id, userID: ann.id, role: .admin))
            try await orgs.setMembership(Membership(organizationID: beta.id, userID: ann.id, role: .member))
            #expect(try await orgs.role(of: ann.id, in: acme.id) == .admin)
            let memberships = try await orgs.memberships(of: ann.id)
            #expect(memberships.map { $0.0.slug.rawValue } == ["acme", "beta"])
            #expect(memberships.map(\.1) == [.admin, .member])
            #expect(try await orgs.members(of: acme.id).map { $0.0.email } == ["ann@example.com"])
        }
    }

    @Test("projects and client keys", arguments: TestDatabase.allCases)
    func projectsAndKeys(database: TestDatabase) async throws {
        try await database.withStore { store in
            let org = try await store.repositories.organizations.create(slug: Slug("acme"), name: "Acme")
            let repo = store.repositories.projects
            let shop = try await repo.create(organizationID: org.id, slug: Slug("shop"), name: "Shop", platform: "python")
            await #expect(throws: DomainError.self) {
                try await repo.create(organizationID: org.id, slug: Slug("shop"), name: "Again", platform: "python")
            }
            #expect(try await repo.project(organizationID: org.id, slug: Slug("shop")) == shop)
            let key = try await repo.createKey(projectID: shop.id, label: "Default", publicKey: "a".padding(toLength: 32, withPad: "a", startingAt: 0), secretKey: "s")
            #expect(key.isActive)
            #expect(key.rateLimitPerMinute == nil)
            try await repo.updateKey(id: key.id, isActive: false, rateLimitPerMinute: 120)
            let updated = try #require(try await repo.key(publicKey: key.publicKey))
            #expect(!updated.isActive)
            #expect(updated.rateLimitPerMinute == 120)
            #expect(try await repo.keys(projectID: shop.id).count == 1)
            #expect(try await repo.projects(organizationID: nil).map(\.id) == [shop.id])
        }
    }

    @Test("API tokens: found by digest until revoked", arguments: TestDatabase.allCases)
    func tokens(database: TestDatabase) async throws {
        try await database.withStore { store in
            let user = try await store.repositories.users.create(email: "ann@example.com", name: "Ann", passwordHash: "h", isSystemAdmin: false)
            let repo = store.repositories.tokens
            let token = try await repo.create(userID: user.id, name: "ci", secretDigest: "d1", prefix: "tlt_abc", scopes: [.projectRead, .eventRead])
            #expect(try await repo.token(secretDigest: "d1")?.scopes == [.projectRead, .eventRead])
            try await repo.revoke(id: token.id)
            #expect(try await repo.token(secretDigest: "d1") == nil)
            await #expect(throws: DomainError.self) { try await repo.revoke(id: token.id) }
            #expect(try await repo.tokens(userID: user.id).first?.revokedAt != nil)
        }
    }

    @Test("migrations are recorded and idempotent", arguments: TestDatabase.allCases)
    func migrations(database: TestDatabase) async throws {
        try await database.withStore { store in
            let status = try await store.schemaStatus()
            #expect(status.isCurrent)
            #expect(try await store.migrate().isEmpty)
        }
    }
}

@Suite("Schema versions")
struct SchemaVersionTests {
    @Test("a schema newer than this binary is refused", arguments: TestDatabase.allCases)
    func newerSchema(database: TestDatabase) async throws {
        try await database.withStore { store in
            try await store.backend.write { db in
                try await db.raw("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'from the future', 0)").run()
            }
            let status = try await store.schemaStatus()
            #expect(!status.isCurrent)
            #expect(status.databaseVersion == 999)
            await #expect(throws: SchemaTooNewError.self) { try await store.migrate() }
        }
    }

    @Test("one version ahead is a rolling upgrade: served, nothing applied", arguments: TestDatabase.allCases)
    func oneAhead(database: TestDatabase) async throws {
        try await database.withStore { store in
            let latest = try await store.schemaStatus().binaryVersion
            try await store.backend.write { db in
                try await db.raw("INSERT INTO schema_migrations (version, name, applied_at) VALUES (\(bind: latest + 1), 'the next release', 0)").run()
            }
            let status = try await store.schemaStatus()
            #expect(!status.isCurrent && status.isServable)
            #expect(try await store.migrate().isEmpty)
        }
    }
}
