/// A project's personal-data settings, applied before anything is stored.
public struct ScrubbingPolicy: Sendable, Hashable, Codable {
    /// What happens to IP addresses (`user.ip_address`, `request.env.REMOTE_ADDR`).
    public enum IPAddressHandling: String, Sendable, Hashable, Codable, CaseIterable {
        /// Stored as sent.
        case keep
        /// Replaced by a keyed hash: users can still be counted, not identified.
        case hash
        /// Removed.
        case remove
    }

    /// Filter sensitive keys and patterns (on by default).
    public var enabled: Bool
    /// IP handling (kept by default, as Sentry does).
    public var ipAddresses: IPAddressHandling
    /// Replace `user.id` by a keyed hash.
    public var hashUserIDs: Bool
    /// Extra key fragments to filter, case-insensitive.
    public var sensitiveFields: [String]
    /// Keys never filtered.
    public var safeFields: [String]

    /// Creates a policy; the defaults are Sentry's.
    public init(enabled: Bool = true, ipAddresses: IPAddressHandling = .keep, hashUserIDs: Bool = false, sensitiveFields: [String] = [], safeFields: [String] = []) {
        self.enabled = enabled
        self.ipAddresses = ipAddresses
        self.hashUserIDs = hashUserIDs
        self.sensitiveFields = sensitiveFields
        self.safeFields = safeFields
    }
}
