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
    /// Mask email addresses (`[email]`) and phone numbers (`[phone]`) in free text: messages,
    /// exception values, breadcrumbs, request data, extra (on by default).
    public var personalData: Bool
    /// Keep `user.email` as the SDK sent it (on by default, so issues can be searched by
    /// user); off masks it too.
    public var keepUserEmail: Bool

    /// Creates a policy; the defaults are Sentry's.
    public init(enabled: Bool = true, ipAddresses: IPAddressHandling = .keep, hashUserIDs: Bool = false, sensitiveFields: [String] = [], safeFields: [String] = [],
                personalData: Bool = true, keepUserEmail: Bool = true) {
        self.enabled = enabled
        self.ipAddresses = ipAddresses
        self.hashUserIDs = hashUserIDs
        self.sensitiveFields = sensitiveFields
        self.safeFields = safeFields
        self.personalData = personalData
        self.keepUserEmail = keepUserEmail
    }

    /// Settings stored before a field existed take its default.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = ScrubbingPolicy()
        enabled = try container.decodeIfPresent(Bool.self, forKey: .enabled) ?? defaults.enabled
        ipAddresses = try container.decodeIfPresent(IPAddressHandling.self, forKey: .ipAddresses) ?? defaults.ipAddresses
        hashUserIDs = try container.decodeIfPresent(Bool.self, forKey: .hashUserIDs) ?? defaults.hashUserIDs
        sensitiveFields = try container.decodeIfPresent([String].self, forKey: .sensitiveFields) ?? []
        safeFields = try container.decodeIfPresent([String].self, forKey: .safeFields) ?? []
        personalData = try container.decodeIfPresent(Bool.self, forKey: .personalData) ?? defaults.personalData
        keepUserEmail = try container.decodeIfPresent(Bool.self, forKey: .keepUserEmail) ?? defaults.keepUserEmail
    }
}
