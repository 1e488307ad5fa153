import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import TelltaleCore
import TelltaleHTTP

/// Server-Sent Events for the issues page: when an event for one of the page's projects is
/// committed (on any node), the issues matching the page's search whose last event is newer
/// than what was sent are rendered with the same row template and pushed; the page's script
/// puts them at the top.
extension Dashboard {
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
                let wakes = live.changes(.issues, subjects: Set(projectIDs.map(LiveSubject.project)))
                try await LiveStream.pump(&writer, wakes: wakes) {
                    var query = base
                    query.filters.append(.time(.lastSeen, .greater, since))
                    let page = try await repositories.issues.search(IssueSearch(projectIDs: projectIDs, query: query, sort: .date, limit: 25, user: scope.principal.user.id))
                    if let newest = page.issues.map(\.lastSeen).max() { since = newest }
                    var message = ""
                    for row in try await rows(page.issues, scope: scope).reversed() {
                        let html = templates.render("issue_rows", LiveRows(rows: [row], chrome: scope.chrome))
                        message += "event: issue\ndata: {\"id\":\(row.id),\"html\":\(JSONText.quoted(html))}\n\n"
                    }
                    return message
                }
                logger.debug("Live issue stream ended")
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
