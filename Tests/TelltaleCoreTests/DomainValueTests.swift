import Foundation
import SentryProtocol
import Testing
import TelltaleCore

@Suite("Domain values")
struct DomainValueTests {
    @Test("slugs", arguments: [
        ("acme", true), ("my-shop_2", true), ("9lives", true), ("", false), ("Acme", false),
        ("-x", false), ("123", false), ("a b", false), (String(repeating: "a", count: 51), false),
    ])
    func slugs(text: String, valid: Bool) {
        #expect((try? Slug(text)) != nil ? valid : !valid)
    }

    @Test("slugs derived from names")
    func derivedSlugs() {
        #expect(Slug.derived(from: "My Shop!")?.rawValue == "my-shop")
        #expect(Slug.derived(from: "  Ünïcode  App ")?.rawValue == "n-code-app")
        #expect(Slug.derived(from: "!!!") == nil)
    }

    @Test("emails are normalized and checked")
    func emails() throws {
        #expect(try User.normalizedEmail(" Ann@Example.COM ") == "ann@example.com")
        #expect(throws: ValidationError.self) { try User.normalizedEmail("ann") }
        #expect(throws: ValidationError.self) { try User.normalizedEmail("a@b@c") }
    }

    @Test("scopes parse and format")
    func scopes() throws {
        #expect(try Scope.parseList("project:read, event:write") == [.projectRead, .eventWrite])
        #expect(Scope.format([.eventWrite, .projectRead]) == "event:write project:read")
        #expect(throws: ValidationError.self) { try Scope.parseList("project:read root") }
    }

    @Test("secrets are hex of the requested length and differ")
    func secrets() {
        let a = SecretGenerator.hex(byteCount: 16)
        #expect(a.count == 32)
        #expect(a.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(a != SecretGenerator.hex(byteCount: 16))
        #expect(SecretGenerator.hex(byteCount: 0) == "")
    }

    @Test("hex text: two lower-case digits per byte, in order")
    func hex() {
        #expect(Hex.lowercase([]) == "")
        #expect(Hex.lowercase([0x00, 0x0f, 0x10, 0xab, 0xff]) == "000f10abff")
        #expect(Hex.lowercase(Array(0...255)) == (0...255).map { String(format: "%02x", $0) }.joined())
    }
}

@Suite("DSN")
struct DSNTests {
    @Test("parses the recorded fixture DSN")
    func parse() throws {
        let dsn = try #require(DSN("http://publickey@127.0.0.1:8600/42"))
        #expect(dsn.publicKey == "publickey")
        #expect(dsn.projectID == "42")
        #expect(dsn.port == 8600)
        #expect(dsn.envelopeURL == "http://127.0.0.1:8600/api/42/envelope/")
        #expect(dsn.description == "http://publickey@127.0.0.1:8600/42")
    }

    @Test("keeps a path prefix and accepts a legacy secret")
    func prefixAndSecret() throws {
        let dsn = try #require(DSN("https://abc:secret@errors.example.com/sentry/7"))
        #expect(dsn.pathPrefix == "/sentry")
        #expect(dsn.description == "https://abc@errors.example.com/sentry/7")
        #expect(dsn.envelopeURL == "https://errors.example.com/sentry/api/7/envelope/")
    }

    @Test("builds from a base URL", arguments: [
        ("http://127.0.0.1:8600", "http://k@127.0.0.1:8600/1"),
        ("https://t.example.com/", "https://k@t.example.com/1"),
        ("https://t.example.com:443/errors", "https://k@t.example.com/errors/1"),
    ])
    func fromBase(base: String, expected: String) throws {
        #expect(DSN(baseURL: base, publicKey: "k", projectID: "1")?.description == expected)
    }

    @Test("rejects what is not a DSN", arguments: ["", "ftp://k@h/1", "http://h/1", "http://k@h/", "not a url"])
    func rejects(text: String) {
        #expect(DSN(text) == nil)
    }
}

@Suite("Access policy")
struct AccessPolicyTests {
    let user = User(id: UserID(1), email: "a@b.c", name: "A", passwordHash: "", isSystemAdmin: false, createdAt: .distantPast)

    @Test("roles rank viewer < member < admin < owner")
    func roles() {
        let session = Principal(user: user, tokenScopes: nil)
        #expect(AccessPolicy.allows(session, .view, role: .viewer, scope: .projectRead))
        #expect(!AccessPolicy.allows(session, .triage, role: .viewer, scope: .eventWrite))
        #expect(AccessPolicy.allows(session, .triage, role: .member, scope: .eventWrite))
        #expect(!AccessPolicy.allows(session, .manage, role: .member, scope: .projectWrite))
        #expect(AccessPolicy.allows(session, .manage, role: .admin, scope: .projectWrite))
        #expect(!AccessPolicy.allows(session, .view, role: nil, scope: .projectRead))
    }

    @Test("token scopes narrow the user's rights; admin implies write implies read")
    func scopes() {
        let token = Principal(user: user, tokenScopes: [.projectWrite])
        #expect(AccessPolicy.allows(token, .view, role: .owner, scope: .projectRead))
        #expect(AccessPolicy.allows(token, .manage, role: .owner, scope: .projectWrite))
        #expect(!AccessPolicy.allows(token, .manage, role: .owner, scope: .projectAdmin))
        #expect(!AccessPolicy.allows(token, .view, role: .owner, scope: .eventRead))
    }

    @Test("system admins need no membership, but still their token's scope")
    func systemAdmin() {
        var admin = user
        admin.isSystemAdmin = true
        #expect(AccessPolicy.allows(Principal(user: admin, tokenScopes: nil), .own, role: nil, scope: .orgAdmin))
        #expect(!AccessPolicy.allows(Principal(user: admin, tokenScopes: [.orgRead]), .own, role: nil, scope: .orgAdmin))
    }
}
