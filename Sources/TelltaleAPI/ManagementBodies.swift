import Foundation
import Hummingbird
import TelltaleCore

/// A member of an organization.
struct MemberBody: ResponseCodable {
    var id: String
    var email: String
    var name: String
    var role: String

    init(_ user: User, role: Role) {
        id = user.id.description
        email = user.email
        name = user.name
        self.role = role.rawValue
    }
}

/// `POST` body adding a member; a new user also needs a password.
struct AddMemberBody: Decodable {
    var email: String
    var role: Role
}

/// An invitation as lists show it; `inviteUrl` (the link with its secret) only in the answer
/// that created it.
struct InvitationBody: ResponseCodable {
    var id: String
    var email: String
    var role: String
    var status: String
    var dateCreated: Date
    var expiresAt: Date
    var inviteUrl: String?

    init(_ invitation: Invitation, inviteURL: String? = nil) {
        id = invitation.id.description
        email = invitation.email
        role = invitation.role.rawValue
        status = "invited"
        dateCreated = invitation.createdAt
        expiresAt = invitation.expiresAt
        inviteUrl = inviteURL
    }
}

/// `PUT` body changing a member's role.
struct MemberRoleBody: Decodable {
    var role: Role
}

/// An API token as lists show it; `token` (the secret) only in the answer that created it.
struct TokenBody: ResponseCodable {
    var id: String
    var name: String
    var prefix: String
    var scopes: [String]
    var dateCreated: Date
    var token: String?

    init(_ token: APIToken, secret: String? = nil) {
        id = token.id.description
        name = token.name
        prefix = token.prefix
        scopes = token.scopes.map(\.rawValue).sorted()
        dateCreated = token.createdAt
        self.token = secret
    }
}

/// `POST` body creating a token.
struct CreateTokenBody: Decodable {
    var name: String
    var scopes: [String]
}

/// `POST` body creating a client key.
struct CreateKeyBody: Decodable {
    var name: String?
}

/// `PUT` body changing a client key: `rateLimit: null` turns the limit off.
struct UpdateKeyBody: Decodable {
    struct RateLimit: Decodable {
        var window: Int
        var count: Int
    }
    var isActive: Bool?
    var rateLimit: RateLimit?
    var hasRateLimit = false

    enum CodingKeys: String, CodingKey { case isActive, rateLimit }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        isActive = try container.decodeIfPresent(Bool.self, forKey: .isActive)
        hasRateLimit = container.contains(.rateLimit)
        rateLimit = try container.decodeIfPresent(RateLimit.self, forKey: .rateLimit)
    }
}

/// A project with its settings.
struct ProjectDetailBody: ResponseCodable {
    var project: ProjectBody
    var settings: ProjectSettings
}

/// `PUT` body changing a project's settings (any subset).
struct UpdateProjectBody: Decodable {
    var sampleRate: Double?
    var retentionDays: Int?
    var scrubbing: ScrubbingPolicy?
    var performance: PerformanceSettings?
}
