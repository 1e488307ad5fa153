import Crypto
import Foundation

/// The installation's secrets key: 32 random bytes, written as base64 (`secrets.key` or the
/// key file in the data directory). Its id, a hash of it, names it in sealed values and in
/// the database, so a node with another key is refused instead of writing unreadable secrets.
public struct SecretsKey: Sendable {
    let key: SymmetricKey
    /// 16 hex digits identifying the key (not revealing it).
    public let id: String
    /// The key as written in configuration and the key file.
    public let base64: String

    public struct Invalid: Error, CustomStringConvertible {
        public var description: String

        public init(description: String) {
            self.description = description
        }
    }

    public init(base64 text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = Data(base64Encoded: trimmed), bytes.count == 32 else {
            throw Invalid(description: "secrets.key must be 32 bytes written as base64 (generate one with: openssl rand -base64 32)")
        }
        key = SymmetricKey(data: bytes)
        base64 = trimmed
        id = SHA256.hash(data: Data("telltale secrets key".utf8) + bytes).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// A new random key.
    public static func generate() -> SecretsKey {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        // Only fails on a length other than 32 bytes, which `.bits256` is not.
        return try! SecretsKey(base64: bytes.base64EncodedString())
    }
}
