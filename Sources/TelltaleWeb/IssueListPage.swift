import Foundation
import Hummingbird
import TelltaleCore
import TelltaleHTTP

/// The issues page: search, sort, bulk triage, paging, live updates.
extension Dashboard {
    struct IssueListView {
        struct SortLink { var label: String; var href: String; var active: Bool }
        struct ProjectOption { var slug: String; var selected: Bool }
        struct Option { var value: String; var label: String; var selected: Bool }
        struct Member { var id: String; var name: String }

        var chrome: Chrome
        var query: String
        var sort: String
        var project: String
        var projects: [ProjectOption]
        var environments: [Option]
        var periods: [Option]
        var columns: Int
        var sortEvents: SortLink
        var sortUsers: SortLink
        var sortFirst: SortLink
        var sortLast: SortLink
        var rows: [IssueRowView]
        var searchError: String?
        var nextHref: String?
        var firstHref: String?
        var liveHref: String
        var members: [Member]
        var returnTo: String
        var noIssuesYet: Bool
        var setup: SetupView?
    }

    func addIssueListRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        router.get("organizations/:org/issues/") { request, context -> Response in
            let scope = try await scope(context.parameters.require("org"), context, .view, section: .issues)
            return templates.page("issues", try await issueList(request, scope: scope))
        }
        router.post("organizations/:org/issues/bulk") { request, context -> Response in
            let scope = try await scope(context.parameters.require("org"), context, .triage, section: .issues)
            let (form, _) = try await Form.body(of: request)
            let ids = form.all("id").compactMap(Int64.init).prefix(100)
            guard !ids.isEmpty else { throw APIError.badRequest("select at least one issue") }
            if form["action"] == "merge" {
                let target = try await merge(Array(ids), scope: scope)
                return redirect("\(scope.orgPath)/issues/\(target)/")
            }
            let change = try await change(form, scope: scope)
            for id in ids {
                // Each issue is checked on its own: a forged id from another organization is refused.
                let (organization, _, issue) = try await authorizer.issue(String(id), scope.principal, .triage, scope: .eventWrite)
                guard organization.id == scope.organization.id else { throw APIError.notFound("issue '\(id)' not found") }
                _ = try await repositories.issues.update(id: issue.id, change, by: scope.principal.user.id, now: Date())
            }
            return redirect(Self.safeNext(form["return"] ?? "\(scope.orgPath)/issues/"))
        }
    }

    /// The issue list for a request's `query`, `sort`, `project` and `cursor`.
    func issueList(_ request: Request, scope: PageScope) async throws -> IssueListView {
        let parameters = Form.query(of: request)
        let queryText = parameters["query"] ?? "is:unresolved"
        let sort = IssueSort(rawValue: parameters["sort"] ?? "date") ?? .date
        let projectSlug = parameters["project"] ?? ""
        let projectIDs = scope.projects.filter { projectSlug.isEmpty || $0.slug.rawValue == projectSlug }.map(\.id)
        let environment = parameters["environment"] ?? ""
        let period = Self.periods.first { $0.value == parameters["period"] }?.value ?? ""
        var searchError: String?
        var page = IssuePage(issues: [], nextCursor: nil)
        do {
            let query = try Self.listQuery(parameters, now: Date())
            page = try await repositories.issues.search(IssueSearch(projectIDs: projectIDs, query: query, sort: sort, cursor: parameters["cursor"], limit: 25, user: scope.principal.user.id))
        } catch let error as IssueQueryError {
            searchError = error.description
        }
        /// `/issues/?query=…` (or `/issues/live?…`) with this page's search and project.
        func href(_ page: String = "", sort: IssueSort? = nil, cursor: String? = nil) -> String {
            var components = URLComponents()
            components.queryItems = [URLQueryItem(name: "query", value: queryText)]
                + [sort.map { URLQueryItem(name: "sort", value: $0.rawValue) }, projectSlug.isEmpty ? nil : URLQueryItem(name: "project", value: projectSlug),
                   environment.isEmpty ? nil : URLQueryItem(name: "environment", value: environment), period.isEmpty ? nil : URLQueryItem(name: "period", value: period),
                   cursor.map { URLQueryItem(name: "cursor", value: $0) }].compactMap { $0 }
            return "\(scope.orgPath)/issues/\(page)?" + (components.percentEncodedQuery ?? "")
        }
        func link(_ label: String, _ target: IssueSort) -> IssueListView.SortLink { .init(label: label, href: href(sort: target), active: target == sort) }
        let rows = try await rows(page.issues, scope: scope)
        var noIssuesYet = false
        var setup: SetupView?
        if rows.isEmpty, parameters["cursor"] == nil {
            let any = try await repositories.issues.search(IssueSearch(projectIDs: scope.projects.map(\.id), query: IssueQuery(filters: []), limit: 1, user: scope.principal.user.id))
            if any.issues.isEmpty {
                noIssuesYet = true
                setup = try await setupView(scope)
            }
        }
        let members = try await repositories.organizations.members(of: scope.organization.id)
        return IssueListView(
            chrome: scope.chrome,
            query: queryText,
            sort: sort.rawValue,
            project: projectSlug,
            projects: scope.projects.map { .init(slug: $0.slug.rawValue, selected: $0.slug.rawValue == projectSlug) },
            environments: try await repositories.issues.tagValues(projectIDs: projectIDs, key: "environment", limit: 50)
                .map { .init(value: $0, label: $0, selected: $0 == environment) },
            periods: Self.periods.map { .init(value: $0.value, label: $0.label, selected: $0.value == period) },
            columns: scope.chrome.canTriage ? 7 : 6,
            sortEvents: link("Events", .freq),
            sortUsers: link("Users", .user),
            sortFirst: link("First seen", .new),
            sortLast: link("Last seen", .date),
            rows: rows,
            searchError: searchError,
            nextHref: page.nextCursor.map { href(sort: sort, cursor: $0) },
            firstHref: parameters["cursor"] != nil ? href(sort: sort) : nil,
            // Live updates only make sense on the first page of the newest-first list.
            liveHref: parameters["cursor"] == nil && sort == .date ? href("live") : "",
            members: members.filter { $0.1 >= .member }.map { .init(id: $0.0.id.description, name: $0.0.name) },
            returnTo: request.uri.description,
            noIssuesYet: noIssuesYet,
            setup: setup
        )
    }

    /// Time ranges the list offers: issues seen within the last…
    static let periods: [(value: String, label: String, seconds: TimeInterval)] = [
        ("", "Any time", 0), ("1h", "Last hour", 3_600), ("24h", "Last 24 hours", 86_400),
        ("7d", "Last 7 days", 604_800), ("14d", "Last 14 days", 1_209_600), ("30d", "Last 30 days", 2_592_000),
    ]

    /// The search a list request asks for: `query`, narrowed by the `environment` and `period`
    /// pickers (shared by the page and its live updates).
    static func listQuery(_ parameters: Form, now: Date) throws(IssueQueryError) -> IssueQuery {
        var query = try IssueQueryParser.parse(parameters["query"] ?? "is:unresolved", now: now)
        if let environment = parameters["environment"], !environment.isEmpty {
            query.filters.append(.tag(key: "environment", values: [environment], negated: false))
        }
        if let period = periods.first(where: { $0.value == parameters["period"] && $0.seconds > 0 }) {
            query.filters.append(.time(.lastSeen, .greaterOrEqual, now.addingTimeInterval(-period.seconds)))
        }
        return query
    }

    /// The change a triage form asks for: `action` is a status, `ignore`, or `assign` with `assignee`.
    func change(_ form: Form, scope: PageScope) async throws -> IssueChange {
        switch form["action"] ?? "" {
        case "assign":
            guard let text = form["assignee"], !text.isEmpty else { return IssueChange(assignee: .some(nil)) }
            guard let id = Int64(text), try await repositories.organizations.role(of: UserID(id), in: scope.organization.id) != nil else {
                throw APIError.badRequest("the assignee is not a member of this organization")
            }
            return IssueChange(assignee: .some(UserID(id)))
        case "ignore":
            switch form["ignore"] ?? "forever" {
            case "1h": return IssueChange(status: .ignored, ignore: .until(Date().addingTimeInterval(3_600)))
            case "24h": return IssueChange(status: .ignored, ignore: .until(Date().addingTimeInterval(86_400)))
            case "100events": return IssueChange(status: .ignored, ignore: .moreEvents(100))
            default: return IssueChange(status: .ignored, ignore: .forever)
            }
        case let action:
            guard let status = IssueStatus(rawValue: action), status.isManual else {
                throw APIError.badRequest("unknown action '\(action)'")
            }
            return IssueChange(status: status, resolutionNote: form.text("note"))
        }
    }
}
