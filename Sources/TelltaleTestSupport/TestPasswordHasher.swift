public import TelltaleCore

/// A fast, insecure stand-in for bcrypt so storage tests do not spend seconds hashing.
public struct TestPasswordHasher: PasswordHasher, SecretDigester {
    public init() {}

    public func hash(_ password: String) async throws -> String { "test$" + String(password.reversed()) }

    public func verify(_ password: String, hash: String) async throws -> Bool { hash == "test$" + String(password.reversed()) }

    public func verifyWithoutAccount(_ password: String) async throws {}

    public func digest(_ secret: String) -> String { "digest:" + secret }
}
