import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import TelltaleCore
import TelltaleHTTP

/// Server-Sent Events for the issues page: every couple of seconds, the issues matching the
/// page's search whose last event is newer than what was sent are rendered with the same
/// row template and pushed; the page's script puts them at the top. Reading the database
/// (rather than an in-process signal) keeps this right when several nodes share PostgreSQL.
extension Dashboard {
    static let livePollInterval: Duration = .seconds(2)
    /// A stream ends after a while; the browser's EventSource reconnects by itself, which
    /// re-checks the session.
    static let liveStreamLifetime: TimeInterval = 300

    struct LiveRows {
        var rows: [IssueRowView]
        var chrome: Chrome
    }

    func addLiveRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        router.get("organizations/:org/issues/live") { request, context -> Response in
            let scope = try await scope(context.parameters.require("org"), context, .view, section: .issues)
            let parameters = Form.query(of: request)
            let base = try Self.listQuery(parameters, now: Date())
            let projectSlug = parameters["project"] ?? ""
            let projectIDs = scope.projects.filter { projectSlug.isEmpty || $0.slug.rawValue == projectSlug }.map(\.id)
            let logger = context.logger
            let body = ResponseBody { writer in
                var since = Date().addingTimeInterval(-2)
                let ends = Date().addingTimeInterval(Self.liveStreamLifetime)
                try await writer.write(ByteBuffer(string: "retry: 3000\n: live\n\n"))
                // Checked each round, so shutdown waits at most one poll interval for a stream.
                while Date() < ends, !Task.isShuttingDownGracefully, !Task.isCancelled {
                    var query = base
                    query.filters.append(.time(.lastSeen, .greater, since))
                    let page = try await repositories.issues.search(IssueSearch(projectIDs: projectIDs, query: query, sort: .date, limit: 25, user: scope.principal.user.id))
                    if let newest = page.issues.map(\.lastSeen).max() { since = newest }
                    var message = ""
                    for row in try await rows(page.issues, scope: scope).reversed() {
                        let html = templates.render("issue_rows", LiveRows(rows: [row], chrome: scope.chrome))
                        message += "event: issue\ndata: {\"id\":\(row.id),\"html\":\(JSONText.quoted(html))}\n\n"
                    }
                    try await writer.write(ByteBuffer(string: message.isEmpty ? ": ping\n\n" : message))
                    try? await Task.sleep(for: Self.livePollInterval)
                }
                logger.debug("Live issue stream ended")
                try await writer.finish(nil)
            }
            return Dashboard.eventStream(body)
        }
    }
}

extension Dashboard {
    /// A Server-Sent Events response: not cached, not buffered by a proxy in front.
    static func eventStream(_ body: ResponseBody) -> Response {
        Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store", HTTPField.Name("X-Accel-Buffering")!: "no"], body: body)
    }
}
