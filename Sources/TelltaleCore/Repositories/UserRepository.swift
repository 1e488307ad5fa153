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
