import Foundation
import TelltaleAnalysis
import HTTPTypes
import Hummingbird
import NIOCore
import SentryProtocol
import TelltaleBusiness
import TelltaleCore
import TelltaleHTTP
import TelltaleIngest

/// One issue: its header and triage controls, the chosen event, tags, timeline and grouping.
extension Dashboard {
    struct IssueView {
        struct Status { var value: String; var label: String; var current: Bool }
        struct Member { var id: String; var name: String; var selected: Bool }
        struct TagValue { var value: String; var count: String; var percent: Int; var href: String? }
        struct Tag { var key: String; var total: String; var values: [TagValue] }
        struct Entry { var who: String; var what: String; var text: String?; var when: String; var whenISO: String }

        var chrome: Chrome
        var row: IssueRowView
        var shortID: String
        var statusLabel: String
        var statuses: [Status]
        var members: [Member]
        var unassigned: Bool
        var firstRelease: String?
        var lastRelease: String?
        var firstReleaseHref: String?
        var lastReleaseHref: String?
        var eventsHref: String
        var usersHref: String
        var resolutionNote: String?
        /// What the issue's events put at risk (`USD 620 · Payment`), when anything.
        var revenueAtRisk: String?
        /// Reports people filed about this issue's events.
        var userReports: [ReportLine]
        var hasUserReports: Bool
        /// Incidents this issue is linked to, newest first.
        var incidentLinks: LinkedIncidents?
        var classification: ClassificationView?
        /// Issues that look like this one: loaded after the page, since ranking reads thousands of issues.
        var similarHref: String
        /// Issues and monitors related to this one, loaded the same way.
        var relatedHref: String
        /// Spikes of this issue in the last seven days, newest first.
        var spikes: [SpikeLine]
        var hasSpikes: Bool
        var analysis: AnalysisView?
        /// The configured LLM's model, when there is one.
        var llmModel: String?
        var event: EventView?
        var eventJSONHref: String?
        var olderHref: String?
        var newerHref: String?
        var newestHref: String?
        var tags: [Tag]
        var activity: [Entry]
        var grouping: IssueGrouping
        var hashes: [String]
        var canUnmerge: Bool
        var actionBase: String
        var returnTo: String
    }

    func addIssueRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        router.get("organizations/:org/issues/:id/") { request, context -> Response in
            let (scope, issue) = try await issueScope(context, .view)
            return templates.page("issue", try await issueView(issue, scope: scope, cursor: Form.query(of: request)["cursor"], returnTo: request.uri.description))
        }
        router.post("organizations/:org/issues/:id/status") { request, context -> Response in
            let (scope, issue) = try await issueScope(context, .triage)
            let (form, _) = try await Form.body(of: request)
            _ = try await repositories.issues.update(id: issue.id, try await change(form, scope: scope), by: scope.principal.user.id, now: Date())
            return redirect("\(scope.orgPath)/issues/\(issue.id)/")
        }
        // The similar issues panel, as an HTML fragment the page loads after it is shown.
        router.get("organizations/:org/issues/:id/similar") { _, context -> Response in
            let (scope, issue) = try await issueScope(context, .view)
            let matches = try await ClassificationService(repositories: repositories).similar(to: issue, organizationID: scope.organization.id, limit: 5)
            let rows = matches.map { match in
                RelatedRows.Row(issue, other: match.issueID, sameProject: match.projectID == issue.projectID, title: match.title,
                                why: "\(Int((match.score * 100).rounded()))% alike", scope: scope)
            }
            return fragment("related_rows", RelatedRows(rows: rows, empty: "None found among the recent issues.", impact: nil))
        }
        router.post("organizations/:org/issues/:id/classification") { request, context -> Response in
            let (scope, issue) = try await issueScope(context, .triage)
            let (form, _) = try await Form.body(of: request)
            let classification = try Classification.overridden(issue.classification, level: EventLevel(rawValue: issue.level) ?? .error,
                                                               severity: form.text("severity"), category: form.text("category"), impact: form.text("business_impact"))
            try await repositories.classification.setClassification(issueID: issue.id, classification, by: scope.principal.user.id, now: Date())
            return redirect("\(scope.orgPath)/issues/\(issue.id)/")
        }
        router.post("organizations/:org/issues/:id/comments") { request, context -> Response in
            let (scope, issue) = try await issueScope(context, .triage)
            let (form, _) = try await Form.body(of: request)
            guard let text = form.text("text"), text.count <= 10_000 else { throw APIError.badRequest("a comment needs 1 to 10,000 characters") }
            _ = try await repositories.issues.addComment(issueID: issue.id, text: text, by: scope.principal.user.id, now: Date())
            return redirect("\(scope.orgPath)/issues/\(issue.id)/#activity")
        }
        router.get("organizations/:org/issues/:id/events/:event/json") { _, context -> Response in
            let (_, issue) = try await issueScope(context, .view)
            let eventID = try context.parameters.require("event")
            guard let event = try await repositories.events.event(projectID: issue.projectID, eventID: eventID), event.issueID == issue.id else {
                throw APIError.notFound("event '\(eventID)' not found in this issue")
            }
            let payload = try JSONParser.parse(PayloadCompression.decompress(event.compressedPayload))
            var headers = WebTemplates.securityHeaders
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: payload.serialized())))
        }
    }

    /// The issue a route names, checked to belong to the route's organization.
    func issueScope(_ context: TelltaleRequestContext, _ action: Action) async throws -> (PageScope, Issue) {
        let scope = try await scope(context.parameters.require("org"), context, action, section: .issues)
        let idText = try context.parameters.require("id")
        let (organization, _, issue) = try await authorizer.issue(idText, scope.principal, action, scope: action == .view ? .eventRead : .eventWrite)
        guard organization.id == scope.organization.id else { throw APIError.notFound("issue '\(idText)' not found") }
        return (scope, issue)
    }

    func issueView(_ issue: Issue, scope: PageScope, cursor: String?, returnTo: String) async throws -> IssueView {
        let base = "\(scope.orgPath)/issues/\(issue.id)/"
        let spikes = try await repositories.analysis.spikes(projectIDs: [issue.projectID], issueID: issue.id, since: Date().addingTimeInterval(-7 * 86_400), limit: 20)
        let row = try await rows([issue], scope: scope, spikeHours: [issue.id: Set(spikes.map { Int64($0.startedAt.timeIntervalSince1970) })])[0]
        let page = try await repositories.issues.events(issueID: issue.id, cursor: cursor, limit: 1)
        var newerHref: String?
        if cursor != nil, let shown = page.events.first {
            let newer = try await repositories.issues.newerEventCursors(issueID: issue.id, than: shown, limit: 2)
            if newer.count == 1 { newerHref = "\(base)#event" }
            if newer.count == 2 { newerHref = Self.eventHref(base, cursor: newer[1]) }
        }
        var event = try page.events.first.map { stored in
            EventView(try JSONParser.parse(PayloadCompression.decompress(stored.compressedPayload)), eventID: stored.eventID, timestamp: stored.timestamp)
        }
        if let shown = event, let stored = page.events.first {
            event?.transactionHref = try await transactionHref(shown, project: issue.projectID, at: stored.timestamp, scope: scope)
        }
        let tags = try await repositories.issues.tags(issueID: issue.id, topValues: 5).map { tag in
            IssueView.Tag(key: tag.key, total: WebFormat.count(tag.totalValues), values: tag.topValues.map { value in
                IssueView.TagValue(value: value.value, count: WebFormat.count(value.count),
                                   percent: tag.totalValues > 0 ? Int((Double(value.count) * 100 / Double(tag.totalValues)).rounded()) : 0,
                                   href: Self.searchHref(scope.orgPath, key: tag.key, value: value.value))
            })
        }
        let members = try await repositories.organizations.members(of: scope.organization.id)
        let names = Dictionary(members.map { ($0.0.id, $0.0.name) }, uniquingKeysWith: { a, _ in a })
        let activity = try await repositories.issues.activity(issueID: issue.id).reversed().map { entry in
            IssueView.Entry(who: entry.userID.flatMap { names[$0] } ?? (entry.userID == nil ? "Telltale" : "someone"),
                            what: Self.describe(entry, names: names),
                            text: entry.kind == .note ? entry.data["text"] : entry.data["note"],
                            when: WebFormat.relative(entry.createdAt), whenISO: WebFormat.iso(entry.createdAt))
        }
        let project = scope.projects.first { $0.id == issue.projectID }
        let hashes = try await repositories.issues.hashes(issueID: issue.id)
        let ruleNames = issue.classification == nil ? [:] : try await classificationRuleNames(scope)
        let reports = try await repositories.userReports.reports(UserReportFilter(projectIDs: [issue.projectID], issueID: issue.id, limit: 20)).map {
            ReportLine(href: "\(scope.orgPath)/user-reports/\($0.id)/", title: $0.draft.title, status: $0.status.rawValue.replacingOccurrences(of: "_", with: " "),
                       detail: [$0.draft.priority.rawValue + " priority", $0.draft.name, WebFormat.timestamp($0.createdAt)].compactMap { $0 }.joined(separator: " · "))
        }
        return IssueView(
            chrome: scope.chrome,
            row: row,
            shortID: "\(project?.slug.rawValue.uppercased() ?? "ISSUE")-\(issue.shortNumber)",
            statusLabel: issue.status.rawValue,
            statuses: IssueStatus.allCases.filter(\.isManual).filter { $0 != .ignored }.map {
                .init(value: $0.rawValue, label: $0 == .resolved ? "Resolve" : $0.rawValue.capitalized, current: $0 == issue.status)
            },
            members: members.filter { $0.1 >= .member }.map { .init(id: $0.0.id.description, name: $0.0.name, selected: $0.0.id == issue.assignedTo) },
            unassigned: issue.assignedTo == nil,
            firstRelease: issue.firstRelease,
            lastRelease: issue.lastRelease,
            firstReleaseHref: issue.firstRelease.flatMap { Self.searchHref(scope.orgPath, key: "release", value: $0) },
            lastReleaseHref: issue.lastRelease.flatMap { Self.searchHref(scope.orgPath, key: "release", value: $0) },
            eventsHref: "\(base)events/",
            usersHref: "\(base)users/",
            resolutionNote: issue.resolutionNote,
            revenueAtRisk: try await revenueAtRisk(issue, scope: scope),
            userReports: reports,
            hasUserReports: !reports.isEmpty,
            incidentLinks: try await linkedIncidents(kind: "issue", id: issue.id, scope: scope),
            classification: issue.classification.map { ClassificationView($0, rules: ruleNames) },
            similarHref: "\(scope.orgPath)/issues/\(issue.id)/similar",
            relatedHref: "\(scope.orgPath)/issues/\(issue.id)/related",
            spikes: spikes.map(SpikeLine.init),
            hasSpikes: !spikes.isEmpty,
            analysis: try await repositories.analysis.analysis(issueID: issue.id).map(AnalysisView.init),
            llmModel: llmModel,
            event: event,
            eventJSONHref: page.events.first.map { "\(base)events/\($0.eventID)/json" },
            olderHref: page.nextCursor.map { Self.eventHref(base, cursor: $0) },
            newerHref: newerHref,
            newestHref: cursor != nil ? "\(base)#event" : nil,
            tags: tags,
            activity: Array(activity),
            grouping: issue.grouping,
            hashes: hashes,
            canUnmerge: hashes.count > 1 && scope.chrome.canTriage,
            actionBase: base,
            returnTo: returnTo
        )
    }

    /// The issue's revenue at risk over its life with the workflow it belongs to; nil when nothing is at risk.
    func revenueAtRisk(_ issue: Issue, scope: PageScope) async throws -> String? {
        let revenue = try await BusinessReports(repositories: repositories).revenue(issueID: issue.id, organizationID: scope.organization.id)
        guard revenue.amount > 0 else { return nil }
        return "\(revenue.currency) \(WebFormat.money(revenue.amount))" + (revenue.workflow.map { " · \($0)" } ?? "")
    }

    /// The issue page showing the event just after `cursor` (see ``IssueRepository/events(issueID:cursor:limit:)``).
    static func eventHref(_ base: String, cursor: String) -> String {
        "\(base)?cursor=\(cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")#event"
    }

    /// The issues list filtered to `key:"value"`, or `nil` for a key the search cannot name.
    static func searchHref(_ orgPath: String, key: String, value: String) -> String? {
        guard !key.isEmpty, key.count <= 200, key.allSatisfy({ $0.isLetter || $0.isNumber || "_.-:".contains($0) }) else { return nil }
        let quoted = "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        var components = URLComponents()
        components.queryItems = [URLQueryItem(name: "query", value: "\(key):\(quoted)")]
        // A literal "+" would read as a space in a form-encoded query.
        return "\(orgPath)/issues/?" + (components.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
    }

    static func describe(_ entry: IssueActivity, names: [UserID: String]) -> String {
        switch entry.kind {
        case .setStatus: "set the status to \(entry.data["status"] ?? "?")" + (entry.data["ignore"].map { " (\($0))" } ?? "")
        case .assigned: "assigned it to \(entry.data["assignee"].flatMap(Int64.init).flatMap { names[UserID($0)] } ?? "someone")"
        case .unassigned: "unassigned it"
        case .note: "commented"
        case .regression: "marked it as a regression" + (entry.data["release"].map { " in \($0)" } ?? "")
        case .unignored: "stopped ignoring it: its condition ran out"
        case .merge: "merged issues into it"
        case .unmerge: "split events off into another issue"
        case .classified:
            "classified it as \(entry.data["severity"] ?? "?"), \(entry.data["category"] ?? "?"), \(entry.data["business_impact"] ?? "?")"
        }
    }
}

/// A detected spike, in a sentence.
struct SpikeLine: Sendable {
    var when: String
    var whenISO: String
    var text: String

    init(_ spike: Spike) {
        when = WebFormat.timestamp(spike.startedAt)
        whenISO = WebFormat.iso(spike.startedAt)
        let minutes = Int(spike.lastAt.timeIntervalSince(spike.startedAt) / 60) + 5
        text = "\(spike.events) events in \(minutes) minutes; at the peak \(spike.peak) in five minutes where \(String(format: "%.1f", spike.expected)) were expected"
    }
}

/// The rows of the similar and the related issues panels, each with a merge button when the
/// reader may triage and the issue is in the same project.
struct RelatedRows {
    struct Merge { var action: String; var csrf: String; var this: String; var other: String; var returnTo: String }
    struct Row {
        var href: String
        var title: String
        var why: String
        var merge: Merge?

        /// A row about something other than an issue (a monitor): no merge button.
        init(href: String, title: String, why: String) {
            self.href = href
            self.title = title
            self.why = why
            merge = nil
        }

        init(_ issue: Issue, other: Int64, sameProject: Bool, title: String, why: String, scope: PageScope) {
            href = "\(scope.orgPath)/issues/\(other)/"
            self.title = title
            self.why = why
            merge = sameProject && scope.chrome.canTriage
                ? Merge(action: "\(scope.orgPath)/issues/bulk", csrf: scope.chrome.csrf, this: String(issue.id), other: String(other),
                        returnTo: "\(scope.orgPath)/issues/\(issue.id)/")
                : nil
        }
    }

    var rows: [Row]
    var empty: String
    var impact: String?
}

extension Dashboard {
    /// An HTML fragment a page loads after it is shown (rendered and escaped like a page).
    func fragment(_ template: String, _ view: Any) -> Response {
        var headers = WebTemplates.securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: templates.render(template, view))))
    }
}

extension Dashboard {
    /// The waterfall of an event's transaction: a performance problem's own, or the one sharing its trace.
    func transactionHref(_ event: EventView, project: ProjectID, at: Date, scope: PageScope) async throws -> String? {
        guard let slug = scope.projects.first(where: { $0.id == project })?.slug.rawValue else { return nil }
        var id = event.problemTransactionID
        if id == nil, let trace = event.traceID {
            id = try await repositories.performance.transactions(projectID: project.rawValue, traceID: trace, around: at).first?.eventID
        }
        return id.map { "\(scope.orgPath)/performance/events/\($0)/?project=\(slug)&statsPeriod=30d" }
    }
}

/// A user report on an issue's page.
struct ReportLine: Sendable { var href: String; var title: String; var status: String; var detail: String }
