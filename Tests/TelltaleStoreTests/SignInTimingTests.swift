import Foundation
import Synchronization
import Testing
import TelltaleCore
import TelltaleStore
import TelltaleTestSupport

/// A sign-in for an email without an account costs a password verification too, so response
/// times do not tell which emails have accounts.
@Suite("Sign-in timing")
struct SignInTimingTests {
    /// Counts verifications, with or without an account.
    final class CountingHasher: PasswordHasher {
        let verifications = Mutex(0)
        let inner = TestPasswordHasher()
        func hash(_ password: String) async throws -> String { try await inner.hash(password) }
        func verify(_ password: String, hash: String) async throws -> Bool {
            verifications.withLock { $0 += 1 }
            return try await inner.verify(password, hash: hash)
        }
        func verifyWithoutAccount(_ password: String) async throws { verifications.withLock { $0 += 1 } }
    }

    @Test("an unknown email verifies a password as a known one does", arguments: TestDatabase.allCases)
    func unknownEmail(database: TestDatabase) async throws {
        try await database.withStore { store in
            let hasher = CountingHasher()
            let accounts = AccountService(repositories: store.repositories, passwords: hasher, digester: TestPasswordHasher())
            _ = try await accounts.createUser(email: "known@example.com", name: nil, password: "password123", isSystemAdmin: false)
            #expect(try await accounts.authenticate(email: "known@example.com", password: "wrong-password") == nil)
            #expect(hasher.verifications.withLock { $0 } == 1)
            #expect(try await accounts.authenticate(email: "nobody@example.com", password: "wrong-password") == nil)
            #expect(hasher.verifications.withLock { $0 } == 2)
        }
    }
}
