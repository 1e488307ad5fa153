public import Foundation

/// A tenant: owns projects and has members.
public struct Organization: Sendable, Hashable, Codable {
    /// Row id.
    public var id: OrganizationID
    /// Unique URL name.
    public var slug: Slug
    /// Display name.
    public var name: String
    /// Events per minute for the whole organization; `nil` means unlimited.
    public var rateLimitPerMinute: Int?
    /// When it was created.
    public var createdAt: Date

    /// Creates an organization value.
    public init(id: OrganizationID, slug: Slug, name: String, rateLimitPerMinute: Int? = nil, createdAt: Date) {
        self.id = id
        self.slug = slug
        self.name = name
        self.rateLimitPerMinute = rateLimitPerMinute
        self.createdAt = createdAt
    }
}
