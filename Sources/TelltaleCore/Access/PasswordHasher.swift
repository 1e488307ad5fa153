/// Hashes and verifies passwords (bcrypt in production; the work happens off the caller's thread).
public protocol PasswordHasher: Sendable {
    /// A salted hash of the password.
    func hash(_ password: String) async throws -> String
    /// Whether the password matches the hash.
    func verify(_ password: String, hash: String) async throws -> Bool
    /// Spends the time ``verify(_:hash:)`` takes, for a sign-in whose email has no account,
    /// so response times do not tell which emails have accounts.
    func verifyWithoutAccount(_ password: String) async throws
}

/// Digests token secrets so that only digests are stored.
public protocol SecretDigester: Sendable {
    /// A stable digest (hex) of the secret.
    func digest(_ secret: String) -> String
}
