import Foundation
import Synchronization
public import TelltaleCore

/// What a client key grants, cached so the hot path does not read the database per request.
public struct KeyGrant: Sendable {
    /// The key.
    public var key: ClientKey
    /// Its project (with settings).
    public var project: Project
    /// Its organization's events-per-minute limit.
    public var organizationRateLimit: Int?
}

/// Public key → grant, for a few seconds: key changes (deactivation, new limits) take
/// effect within `ttl`.
public final class ClientKeyCache: Sendable {
    private let repositories: Repositories
    private let ttl: Double
    private let entries = Mutex<[String: (grant: KeyGrant?, expires: Double)]>([:])

    /// Creates the cache.
    public init(repositories: Repositories, ttl: Double = 5) {
        self.repositories = repositories
        self.ttl = ttl
    }

    /// The grant for a public key, or `nil` when no such key exists.
    public func grant(publicKey: String) async throws -> KeyGrant? {
        let now = Date().timeIntervalSince1970
        if let cached = entries.withLock({ $0[publicKey] }), cached.expires > now { return cached.grant }
        var grant: KeyGrant?
        if publicKey.utf8.count <= 64, let key = try await repositories.projects.key(publicKey: publicKey),
           let project = try await repositories.projects.project(id: key.projectID) {
            let organization = try await repositories.organizations.organization(id: project.organizationID)
            grant = KeyGrant(key: key, project: project, organizationRateLimit: organization?.rateLimitPerMinute)
        }
        entries.withLock { entries in
            if entries.count > 10_000 { entries.removeAll() }
            entries[publicKey] = (grant, now + ttl)
        }
        return grant
    }

    /// Whether a project with this id exists (for telling 404 from 403).
    public func projectExists(_ id: ProjectID) async throws -> Bool {
        try await repositories.projects.project(id: id) != nil
    }
}
