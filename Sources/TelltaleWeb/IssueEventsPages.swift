import Foundation
import Hummingbird
import Logging
import SentryProtocol
import TelltaleCore
import TelltaleHTTP
import TelltaleIngest

/// An issue's events and affected users as lists, and the issue actions beyond triage:
/// delete (admins), unmerge (split hashes off), merge (from the issues list).
extension Dashboard {
    struct IssueEventsView {
        struct Row { var href: String; var eventID: String; var time: String; var timeISO: String; var level: String; var release: String; var environment: String; var user: String }
        var chrome: Chrome
        var title: String
        var issueHref: String
        var rows: [Row]
        var olderHref: String?
    }

    struct IssueUsersView {
        struct Value { var value: String; var count: String; var href: String? }
        struct Field { var key: String; var values: [Value] }
        var chrome: Chrome
        var title: String
        var issueHref: String
        var fields: [Field]
    }

    func addIssueListingRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        router.get("organizations/:org/issues/:id/events/") { request, context -> Response in
            let (scope, issue) = try await issueScope(context, .view)
            let base = "\(scope.orgPath)/issues/\(issue.id)/"
            let cursor = Form.query(of: request)["cursor"]
            let page = try await repositories.issues.events(issueID: issue.id, cursor: cursor, limit: 50)
            var previous = cursor
            let rows = page.events.map { stored -> IssueEventsView.Row in
                // The issue page shows the event after a cursor: this row's is the row above's key.
                let href = previous.map { Self.eventHref(base, cursor: $0) } ?? "\(base)#event"
                previous = stored.cursor
                let payload = try? JSONParser.parse(PayloadCompression.decompress(stored.compressedPayload))
                let user = payload?["user"]
                return .init(href: href, eventID: stored.eventID, time: WebFormat.timestamp(stored.timestamp), timeISO: WebFormat.iso(stored.timestamp),
                             level: stored.level, release: payload?["release"]?.stringValue ?? "", environment: payload?["environment"]?.stringValue ?? "",
                             user: user?["email"]?.stringValue ?? user?["username"]?.stringValue ?? user?["id"]?.scalarText ?? user?["ip_address"]?.stringValue ?? "")
            }
            return templates.page("issue_events", IssueEventsView(
                chrome: scope.chrome, title: issue.title, issueHref: base, rows: rows,
                olderHref: page.nextCursor.map { "\(base)events/?cursor=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
            ))
        }
        router.get("organizations/:org/issues/:id/users/") { _, context -> Response in
            let (scope, issue) = try await issueScope(context, .view)
            let base = "\(scope.orgPath)/issues/\(issue.id)/"
            let keys = ["user.email", "user.username", "user.id", "user.ip", "user"]
            let tags = try await repositories.issues.tags(issueID: issue.id, topValues: 200).filter { keys.contains($0.key) }
            let fields = keys.compactMap { key in tags.first { $0.key == key } }.map { tag in
                IssueUsersView.Field(key: tag.key, values: tag.topValues.map {
                    .init(value: $0.value, count: WebFormat.count($0.count), href: Self.searchHref(scope.orgPath, key: tag.key, value: $0.value))
                })
            }
            return templates.page("issue_users", IssueUsersView(chrome: scope.chrome, title: issue.title, issueHref: base, fields: fields))
        }
        router.post("organizations/:org/issues/:id/delete") { _, context -> Response in
            let (scope, issue) = try await issueScope(context, .manage)
            _ = try await repositories.issues.delete(id: issue.id)
            context.logger.info("Deleted an issue", metadata: ["issue.id": "\(issue.id)", "user.id": "\(scope.principal.user.id)"])
            return redirect("\(scope.orgPath)/issues/")
        }
        router.post("organizations/:org/issues/:id/unmerge") { request, context -> Response in
            let (scope, issue) = try await issueScope(context, .triage)
            let (form, _) = try await Form.body(of: request)
            let hashes = form.all("hash")
            guard !hashes.isEmpty else { throw APIError.badRequest("choose the hashes to split off") }
            guard let split = try await repositories.issues.unmerge(issueID: issue.id, hashes: hashes, by: scope.principal.user.id, now: Date()) else {
                throw APIError.notFound("issue '\(issue.id)' not found")
            }
            return redirect("\(scope.orgPath)/issues/\(split.id)/")
        }
    }

    /// Merges the selected issues into the one seen most often (``Issue/mergeTarget(_:)``).
    func merge(_ ids: [Int64], scope: PageScope) async throws -> Int64 {
        guard ids.count >= 2 else { throw APIError.badRequest("select at least two issues to merge") }
        var issues: [Issue] = []
        for id in ids {
            let (organization, _, issue) = try await authorizer.issue(String(id), scope.principal, .triage, scope: .eventWrite)
            guard organization.id == scope.organization.id else { throw APIError.notFound("issue '\(id)' not found") }
            issues.append(issue)
        }
        guard Set(issues.map(\.projectID)).count == 1 else { throw APIError.badRequest("only issues of the same project can be merged") }
        guard let target = Issue.mergeTarget(issues) else { throw APIError.notFound("no issues matched") }
        let merged = try await repositories.issues.merge(issues.map(\.id), into: target.id, by: scope.principal.user.id, now: Date())
        return merged?.id ?? target.id
    }
}
