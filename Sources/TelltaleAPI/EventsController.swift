import Foundation
public import Hummingbird
import NIOCore
import SentryProtocol
public import TelltaleCore
public import TelltaleHTTP
import TelltaleIngest

/// `/api/0/projects/{org}/{project}/events/{event_id}/` and a first issues list; the issues
/// API grows into search, workflow and paging with the issues capability.
public struct EventsController: Sendable {
    let repositories: Repositories

    /// Creates the controller.
    public init(repositories: Repositories) {
        self.repositories = repositories
    }

    /// Registers the routes.
    public func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        let authorizer = Authorizer(repositories: repositories)
        router.get("projects/:org/:project/events/:event_id/") { _, context -> Response in
            let principal = try context.requirePrincipal()
            let (_, project) = try await authorizer.project(
                context.parameters.require("org"), context.parameters.require("project"), principal, .view, scope: .eventRead
            )
            let id = context.parameters.get("event_id").flatMap(EventID.normalize) ?? ""
            guard let event = try await repositories.events.event(projectID: project.id, eventID: id) else {
                throw APIError.notFound("event not found")
            }
            var payload = try JSONParser.parse(PayloadCompression.decompress(event.compressedPayload))
            payload["id"] = .string(event.eventID)
            payload["groupID"] = event.issueID.map { .string(String($0)) } ?? .null
            payload["projectID"] = .string(project.id.description)
            payload["title"] = .string(event.title)
            payload["culprit"] = .string(event.culprit)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: payload.serialized())))
        }
        router.get("projects/:org/:project/issues/") { _, context -> [IssueBody] in
            let principal = try context.requirePrincipal()
            let (_, project) = try await authorizer.project(
                context.parameters.require("org"), context.parameters.require("project"), principal, .view, scope: .eventRead
            )
            return try await repositories.events.issues(projectID: project.id, limit: 100).map { IssueBody($0, project: project) }
        }
    }
}

/// An issue as the API lists it (Sentry's field names).
struct IssueBody: ResponseCodable {
    var id: String
    var shortId: String
    var title: String
    var culprit: String
    var level: String
    var status: String
    var count: String
    var userCount: Int64
    var firstSeen: Date
    var lastSeen: Date
    var groupingComponents: [String]

    init(_ issue: IssueSummary, project: Project) {
        id = String(issue.id)
        shortId = project.slug.rawValue.uppercased() + "-" + String(issue.shortNumber)
        title = issue.title
        culprit = issue.culprit
        level = issue.level
        status = issue.status
        count = String(issue.count)
        userCount = issue.userCount
        firstSeen = issue.firstSeen
        lastSeen = issue.lastSeen
        groupingComponents = issue.groupingComponents
    }
}
