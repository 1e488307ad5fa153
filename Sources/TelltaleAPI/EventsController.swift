import Foundation
public import Hummingbird
import NIOCore
import SentryProtocol
public import TelltaleCore
public import TelltaleHTTP
import TelltaleIngest

/// `/api/0/projects/{org}/{project}/events/{event_id}/`: one stored event.
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
            let payload = try EventPayload.body(event, full: true)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: payload.serialized())))
        }
    }
}
