import Foundation
import SentryProtocol
import TelltaleCore

/// An organization as the API shows it (Sentry's field names).
struct OrganizationBody: Codable, Sendable {
    var id: String
    var slug: String
    var name: String
    var dateCreated: Date

    init(_ organization: Organization) {
        id = organization.id.description
        slug = organization.slug.rawValue
        name = organization.name
        dateCreated = organization.createdAt
    }
}

/// A reference to an organization or project inside another body.
struct ResourceRef: Codable, Sendable {
    var id: String
    var slug: String
}

/// A project as the API shows it.
struct ProjectBody: Codable, Sendable {
    var id: String
    var slug: String
    var name: String
    var platform: String
    var organization: ResourceRef
    var dateCreated: Date

    init(_ project: Project, in organization: Organization) {
        id = project.id.description
        slug = project.slug.rawValue
        name = project.name
        platform = project.platform
        self.organization = ResourceRef(id: organization.id.description, slug: organization.slug.rawValue)
        dateCreated = project.createdAt
    }
}

/// A client key as the API shows it, with its DSN.
struct ClientKeyBody: Codable, Sendable {
    struct DSNs: Codable, Sendable {
        var `public`: String
    }
    struct RateLimit: Codable, Sendable {
        var window: Int
        var count: Int
    }
    var id: String
    var name: String
    var `public`: String
    var isActive: Bool
    var rateLimit: RateLimit?
    var dsn: DSNs
    var dateCreated: Date

    init(_ key: ClientKey, publicURL: String) {
        id = key.id.description
        name = key.label
        self.public = key.publicKey
        isActive = key.isActive
        rateLimit = key.rateLimitPerMinute.map { RateLimit(window: 60, count: $0) }
        dsn = DSNs(public: DSN(baseURL: publicURL, publicKey: key.publicKey, projectID: key.projectID.description)?.description ?? "")
        dateCreated = key.createdAt
    }
}

/// `POST` body creating an organization.
struct CreateOrganizationBody: Decodable {
    var name: String
    var slug: String?
}

/// `POST` body creating a project.
struct CreateProjectBody: Decodable {
    var name: String
    var slug: String?
    var platform: String?
}
