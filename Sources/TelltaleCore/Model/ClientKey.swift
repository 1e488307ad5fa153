public import Foundation

/// A project's client key: SDKs authenticate with its public part (the DSN's user).
public struct ClientKey: Sendable, Hashable {
    /// Row id.
    public var id: ClientKeyID
    /// The project the key sends to.
    public var projectID: ProjectID
    /// Name shown in settings.
    public var label: String
    /// 32 lowercase hex characters; not a secret (browser SDKs ship it).
    public var publicKey: String
    /// Kept for legacy DSNs; never required.
    public var secretKey: String
    /// Inactive keys are refused.
    public var isActive: Bool
    /// Events per minute through this key; `nil` means unlimited.
    public var rateLimitPerMinute: Int?
    /// When it was created.
    public var createdAt: Date

    /// Creates a client key value.
    public init(
        id: ClientKeyID, projectID: ProjectID, label: String, publicKey: String, secretKey: String,
        isActive: Bool, rateLimitPerMinute: Int?, createdAt: Date
    ) {
        self.id = id
        self.projectID = projectID
        self.label = label
        self.publicKey = publicKey
        self.secretKey = secretKey
        self.isActive = isActive
        self.rateLimitPerMinute = rateLimitPerMinute
        self.createdAt = createdAt
    }
}
