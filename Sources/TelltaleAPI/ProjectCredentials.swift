import Hummingbird
import SentryProtocol
import TelltaleCore
import TelltaleHTTP
import TelltaleIngest

/// Who may send to a project's JSON endpoints (native errors, business events): an API token
/// allowed to write its events, or the project's public key (`X-Sentry-Auth` or `?sentry_key=`),
/// as browsers and SDK-less apps send it.
struct ProjectCredentials {
    let repositories: Repositories
    let service: IngestService

    /// The project of the path, with its organization's rate limit; 401 without credentials,
    /// 404 for a project the caller cannot see, the key's refusal otherwise.
    func project(_ request: Request, _ context: TelltaleRequestContext) async throws -> (project: Project, organizationRateLimit: Int?) {
        let orgSlug = try context.parameters.require("org")
        let projectSlug = try context.parameters.require("project")
        if let principal = context.principal {
            let (organization, project) = try await Authorizer(repositories: repositories).project(orgSlug, projectSlug, principal, .triage, scope: .eventWrite)
            return (project, organization.rateLimitPerMinute)
        }
        let key = request.headers[.xSentryAuth].flatMap(SentryAuth.parse(header:))?.publicKey
            ?? request.uri.queryParameters.get("sentry_key")
        guard let key else { throw APIError.unauthorized("send an API token (Authorization: Bearer) or the project's key (X-Sentry-Auth or ?sentry_key=)") }
        guard let orgSlugValue = try? Slug(orgSlug), let organization = try await repositories.organizations.organization(slug: orgSlugValue),
              let projectSlugValue = try? Slug(projectSlug),
              let project = try await repositories.projects.project(organizationID: organization.id, slug: projectSlugValue)
        else { throw APIError.notFound("project '\(orgSlug)/\(projectSlug)' not found") }
        do {
            let grant = try await service.grant(publicKey: key, projectID: project.id)
            return (grant.project, grant.organizationRateLimit)
        } catch {
            throw APIError(.init(code: error.status), error.detail)
        }
    }
}
