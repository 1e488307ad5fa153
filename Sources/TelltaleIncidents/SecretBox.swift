import Crypto
import Foundation
import Synchronization

/// Encrypts secrets stored in runbooks (header values, signing secrets) with AES-GCM under a
/// key derived from the installation's secret, so a copy of the database alone does not
/// reveal them. Stored as `enc:v1:<base64>`; anything else is taken as plain text (written
/// before the key was set).
public final class SecretBox: Sendable {
    static let prefix = "enc:v1:"
    /// What the API shows instead of a secret; sent back unchanged, it keeps the stored one.
    public static let mask = "********"
    let key = Mutex<SymmetricKey?>(nil)

    public init() {}

    public func setSecret(_ secret: String) {
        let derived = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Data("runbook secrets".utf8), using: SymmetricKey(data: Data(secret.utf8))))
        key.withLock { $0 = derived }
    }

    public func seal(_ plain: String) throws -> String {
        guard let key = key.withLock({ $0 }) else { throw SecretBoxError.notReady }
        guard !plain.hasPrefix(Self.prefix) else { return plain }
        guard let combined = try AES.GCM.seal(Data(plain.utf8), using: key).combined else { throw SecretBoxError.notReady }
        return Self.prefix + combined.base64EncodedString()
    }

    public func open(_ stored: String) throws -> String {
        guard stored.hasPrefix(Self.prefix) else { return stored }
        guard let key = key.withLock({ $0 }), let data = Data(base64Encoded: String(stored.dropFirst(Self.prefix.count))) else { throw SecretBoxError.notReady }
        return String(decoding: try AES.GCM.open(try AES.GCM.SealedBox(combined: data), using: key), as: UTF8.self)
    }
}

public enum SecretBoxError: Error { case notReady }
