public import Foundation

/// An application that reports events; SDKs address it by its numeric id.
public struct Project: Sendable, Hashable {
    /// Row id, also the DSN's project id.
    public var id: ProjectID
    /// The owning organization.
    public var organizationID: OrganizationID
    /// Unique URL name within the organization.
    public var slug: Slug
    /// Display name.
    public var name: String
    /// Platform hint (`python`, `javascript`, `other`…), shown in the dashboard.
    public var platform: String
    /// Ingest settings: sampling, scrubbing, retention.
    public var settings: ProjectSettings
    /// When it was created.
    public var createdAt: Date

    /// Creates a project value.
    public init(id: ProjectID, organizationID: OrganizationID, slug: Slug, name: String, platform: String, settings: ProjectSettings = ProjectSettings(), createdAt: Date) {
        self.id = id
        self.organizationID = organizationID
        self.slug = slug
        self.name = name
        self.platform = platform
        self.settings = settings
        self.createdAt = createdAt
    }

    /// Checks a platform name: short, lowercase, URL-safe.
    public static func validatePlatform(_ platform: String) throws(ValidationError) {
        guard (1...40).contains(platform.count),
              platform.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "." || $0 == "_" })
        else {
            throw ValidationError(field: "platform", reason: "must be 1 to 40 lowercase letters, digits, '-', '_' or '.'")
        }
    }
}
