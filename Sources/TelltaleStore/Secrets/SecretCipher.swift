import Crypto
import Foundation
import Synchronization
public import TelltaleCore

/// AES-GCM under the secrets key. Sealed values read `enc:v2:<key id>:<base64>`, so a value
/// sealed under another key is recognised (rotation opens it with the previous key). Values
/// from before are still read: plain text, and runbook secrets sealed as `enc:v1:` under a key
/// derived from the installation secret (in the database; re-sealed at start).
public final class SecretCipher: SecretSealing {
    static let prefix = "enc:v2:"
    static let legacyPrefix = "enc:v1:"

    public enum Failure: Error, CustomStringConvertible {
        case noKey
        case unknownKey(String)
        case corrupt

        public var description: String {
            switch self {
            case .noKey: "the secrets key is not loaded"
            case .unknownKey(let id): "a secret is sealed under key \(id), which this node does not have: every node needs the same secrets.key"
            case .corrupt: "a sealed secret could not be opened (wrong key or damaged value)"
            }
        }
    }

    struct Keys {
        var current: SecretsKey?
        var others: [String: SymmetricKey] = [:]
        var legacy: SymmetricKey?
    }

    private let keys = Mutex(Keys())

    public init() {}

    /// Seals under `key` from now on; values under `previous` keys can still be opened.
    public func use(_ key: SecretsKey, previous: [SecretsKey] = []) {
        keys.withLock { keys in
            keys.current = key
            for old in previous { keys.others[old.id] = old.key }
        }
    }

    /// The key id values are sealed under, when a key is loaded.
    public var currentKeyID: String? { keys.withLock { $0.current?.id } }

    /// Opens `enc:v1:` runbook secrets written by earlier versions.
    func setLegacy(instanceSecret: String) {
        let derived = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Data("runbook secrets".utf8), using: SymmetricKey(data: Data(instanceSecret.utf8))))
        keys.withLock { $0.legacy = derived }
    }

    public func seal(_ plain: String) throws -> String {
        guard let current = keys.withLock({ $0.current }) else { throw Failure.noKey }
        guard let combined = try AES.GCM.seal(Data(plain.utf8), using: current.key).combined else { throw Failure.corrupt }
        return Self.prefix + current.id + ":" + combined.base64EncodedString()
    }

    public func open(_ stored: String) throws -> String {
        let keys = keys.withLock { $0 }
        if stored.hasPrefix(Self.legacyPrefix) {
            guard let legacy = keys.legacy else { throw Failure.noKey }
            return try Self.open(String(stored.dropFirst(Self.legacyPrefix.count)), legacy)
        }
        guard stored.hasPrefix(Self.prefix) else { return stored }
        let rest = stored.dropFirst(Self.prefix.count)
        guard let colon = rest.firstIndex(of: ":") else { throw Failure.corrupt }
        let id = String(rest[..<colon])
        guard let key = id == keys.current?.id ? keys.current?.key : keys.others[id] else {
            throw keys.current == nil ? Failure.noKey : Failure.unknownKey(id)
        }
        return try Self.open(String(rest[rest.index(after: colon)...]), key)
    }

    /// Whether `stored` is sealed under the current key (nothing to re-seal).
    func isCurrent(_ stored: String) -> Bool {
        guard let id = currentKeyID else { return false }
        return stored.hasPrefix(Self.prefix + id + ":")
    }

    /// Sealed under the current key, opened first if sealed otherwise.
    func resealed(_ stored: String) throws -> String {
        isCurrent(stored) ? stored : try seal(try open(stored))
    }

    private static func open(_ text: String, _ key: SymmetricKey) throws -> String {
        guard let data = Data(base64Encoded: text), let box = try? AES.GCM.SealedBox(combined: data),
              let plain = try? AES.GCM.open(box, using: key) else { throw Failure.corrupt }
        return String(decoding: plain, as: UTF8.self)
    }
}
