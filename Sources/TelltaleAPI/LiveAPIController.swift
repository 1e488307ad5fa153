import Foundation
public import Hummingbird
import NIOCore
import HTTPTypes
import ServiceLifecycle
public import TelltaleCore
public import TelltaleHTTP

/// `GET /api/0/organizations/{org}/live/`: Server-Sent Events for API clients (the CLI's
/// live terminal view and self-test): one `change` event per topic whenever a write touching
/// the organization's issues, monitors or incidents is committed on any node, so a client
/// reads again only when something changed. Wakes are coalesced per topic (a burst of commits
/// is one event), a comment every 15 s keeps proxies from closing an idle stream, and the
/// stream ends after five minutes (clients reconnect, which checks the token again).
public struct LiveAPIController: Sendable {
    let repositories: Repositories
    let live: any LiveSignals

    static let topics: [LiveTopic] = [.issues, .monitors, .incidents]
    static let keepalive: Duration = .seconds(15)
    static let lifetime: Duration = .seconds(300)

    public init(repositories: Repositories, live: any LiveSignals) {
        self.repositories = repositories
        self.live = live
    }

    public func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        let authorizer = Authorizer(repositories: repositories)
        router.get("organizations/:org/live/") { _, context -> Response in
            let principal = try context.requirePrincipal()
            let organization = try await authorizer.organization(context.parameters.require("org"), principal, .view, scope: .eventRead)
            let projects = try await repositories.projects.projects(organizationID: organization.id)
            let subjects = Set(projects.map { LiveSubject.project($0.id) } + [.organization(organization.id)])
            let live = self.live
            let body = ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "retry: 3000\n: live\n\n"))
                let (out, send) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(16))
                try await withThrowingDiscardingTaskGroup { group in
                    for topic in Self.topics {
                        let wakes = live.changes(topic, subjects: subjects)
                        group.addTask {
                            for await _ in wakes { send.yield("event: change\ndata: {\"topic\":\"\(topic.rawValue)\"}\n\n") }
                        }
                    }
                    group.addTask {
                        let clock = ContinuousClock()
                        let ends = clock.now.advanced(by: Self.lifetime)
                        while clock.now < ends {
                            guard (try? await Task.sleep(for: min(Self.keepalive, clock.now.duration(to: ends)))) != nil else { return }
                            send.yield(": ping\n\n")
                        }
                        send.finish()
                    }
                    try await withGracefulShutdownHandler {
                        for await text in out { try await writer.write(ByteBuffer(string: text)) }
                    } onGracefulShutdown: {
                        send.finish()
                    }
                    group.cancelAll()
                }
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store", HTTPField.Name("X-Accel-Buffering")!: "no"],
                            body: body)
        }
    }
}
