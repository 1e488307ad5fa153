public import TelltaleCore

/// Seals the secrets of runbooks (header values, signing secrets) through the store's cipher,
/// under the installation's secrets key (`secrets.key`), so a copy of the database alone does
/// not reveal them. The API shows `mask` in their place.
public struct SecretBox: Sendable {
    /// What the API shows instead of a secret; sent back unchanged, it keeps the stored one.
    public static let mask = "********"
    let sealing: any SecretSealing

    public init(sealing: any SecretSealing) {
        self.sealing = sealing
    }

    public func seal(_ plain: String) throws -> String { try sealing.seal(plain) }

    public func open(_ stored: String) throws -> String { try sealing.open(stored) }
}
