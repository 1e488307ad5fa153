import Foundation
public import Hummingbird
import Logging
import TelltaleBusiness
public import TelltaleCore
public import TelltaleHTTP

/// The user-report queue: filters by status, type, priority, reporter and project; one
/// report with its screenshots, the linked issue and the triage form.
public struct UserReportPages: Sendable {
    let dashboard: Dashboard
    let reply: @Sendable (UserReport, Organization) async -> Void

    public init(dashboard: Dashboard, reply: @escaping @Sendable (UserReport, Organization) async -> Void) {
        self.dashboard = dashboard
        self.reply = reply
    }

    public func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        let repositories = dashboard.repositories
        @Sendable func report(_ scope: PageScope, _ context: TelltaleRequestContext) async throws -> UserReport {
            guard let id = Int64(try context.parameters.require("id")), let found = try await repositories.userReports.report(id: id),
                  scope.projects.contains(where: { $0.id == found.projectID }) else { throw APIError.notFound("user report not found") }
            return found
        }
        router.get("organizations/:org/user-reports/") { request, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .view, section: .reports)
            var values: [String: String] = [:]
            for (key, value) in request.uri.queryParameters where !value.isEmpty { values[String(key)] = String(value) }
            // The queue opens on what needs someone: open, in progress and waiting for information.
            if values["status"] == nil { values["status"] = "open,in_progress,pending_info" }
            let filter = try UserReportQuery.filter(values: values, projects: scope.projects)
            let reports = try await repositories.userReports.reports(filter)
            return dashboard.templates.page("user_reports", UserReportQueueView(reports, scope: scope, values: values))
        }
        router.get("organizations/:org/user-reports/:id/") { _, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .view, section: .reports)
            let found = try await report(scope, context)
            let members = scope.chrome.canTriage ? try await repositories.organizations.members(of: scope.organization.id).map(\.0) : []
            let assignee = try await found.assigneeID.asyncMap { try await repositories.users.user(id: $0) } ?? nil
            return dashboard.templates.page("user_report", UserReportView(found, scope: scope, members: members, assignee: assignee, error: nil))
        }
        router.post("organizations/:org/user-reports/:id/") { request, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .triage, section: .reports)
            let found = try await report(scope, context)
            let (form, _) = try await Form.body(of: request)
            let input = UserReportChangeInput(
                status: form["status"].flatMap(UserReport.Status.init(rawValue:)), priority: form["priority"].flatMap(UserReport.Priority.init(rawValue:)),
                assignee: .some(form["assignee"].flatMap { $0.isEmpty ? nil : $0 }),
                duplicateOf: form["status"] == UserReport.Status.duplicate.rawValue ? form["duplicate_of"].flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) } : nil,
                resolution: form["resolution"] ?? "")
            do {
                let updated = try await UserReportTriage(repositories: repositories).apply(input, to: found, organization: scope.organization, now: Date(),
                                                                                           reply: reply)
                context.logger.info("User report triaged", metadata: ["report.id": "\(found.id)", "status": "\(updated.status.rawValue)"])
                return redirect("\(scope.orgPath)/user-reports/\(found.id)/")
            } catch let error as ValidationError {
                let members = try await repositories.organizations.members(of: scope.organization.id).map(\.0)
                return dashboard.templates.page("user_report", UserReportView(found, scope: scope, members: members, assignee: nil, error: error.description),
                                                status: .badRequest)
            }
        }
        router.get("organizations/:org/user-reports/:id/screenshots/:screenshot") { _, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .view, section: .reports)
            let found = try await report(scope, context)
            guard let id = Int64(try context.parameters.require("screenshot")),
                  let shot = try await repositories.userReports.screenshot(reportID: found.id, id: id) else { throw APIError.notFound("screenshot not found") }
            return Response.image(contentType: shot.contentType, bytes: shot.data)
        }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}

struct UserReportQueueView: Sendable {
    struct Row: Sendable {
        var href: String; var title: String; var type: String; var priority: String; var status: String; var statusLabel: String
        var reporter: String; var project: String; var created: String; var issueHref: String?; var screenshots: Int
    }
    struct Option: Sendable { var value: String; var label: String; var selected: Bool }
    struct Tab: Sendable { var label: String; var href: String; var active: Bool }

    var chrome: Chrome
    var orgPath: String
    var tabs: [Tab]
    var status: String
    var types: [Option]
    var priorities: [Option]
    var reporters: [Option]
    var projects: [Option]
    var rows: [Row]

    init(_ reports: [UserReport], scope: PageScope, values: [String: String]) {
        chrome = scope.chrome
        orgPath = scope.orgPath
        status = values["status"] ?? ""
        let base = "\(scope.orgPath)/user-reports/"
        tabs = [("Needs attention", "open,in_progress,pending_info"), ("Open", "open"), ("In progress", "in_progress"), ("Pending info", "pending_info"),
                ("Resolved", "resolved"), ("Closed", "closed"), ("Duplicates", "duplicate"), ("All", UserReport.Status.allCases.map(\.rawValue).joined(separator: ","))]
            .map { Tab(label: $0.0, href: "\(base)?status=\($0.1)", active: $0.1 == values["status"]) }
        func options<T: RawRepresentable & CaseIterable>(_ key: String, _: T.Type) -> [Option] where T.RawValue == String {
            [Option(value: "", label: "any", selected: values[key] == nil)] + T.allCases.map {
                Option(value: $0.rawValue, label: $0.rawValue.replacingOccurrences(of: "_", with: " "), selected: values[key] == $0.rawValue)
            }
        }
        types = options("type", UserReport.Kind.self)
        priorities = options("priority", UserReport.Priority.self)
        reporters = options("reporter_type", UserReport.ReporterType.self)
        projects = [Option(value: "", label: "any", selected: values["project"] == nil)]
            + scope.projects.map { Option(value: $0.slug.rawValue, label: $0.name, selected: values["project"] == $0.slug.rawValue) }
        let names = Dictionary(scope.projects.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        rows = reports.map { report in
            Row(href: "\(base)\(report.id)/", title: report.draft.title, type: report.draft.type.rawValue.replacingOccurrences(of: "_", with: " "),
                priority: report.draft.priority.rawValue, status: report.status.rawValue, statusLabel: report.status.rawValue.replacingOccurrences(of: "_", with: " "),
                reporter: [report.draft.name, report.draft.reporterType.rawValue].compactMap { $0 }.joined(separator: " · "),
                project: names[report.projectID] ?? "", created: WebFormat.timestamp(report.createdAt),
                issueHref: report.issueID.map { "\(scope.orgPath)/issues/\($0)/" }, screenshots: report.screenshots.count)
        }
    }
}

struct UserReportView: Sendable {
    struct Field: Sendable { var label: String; var value: String }
    struct Option: Sendable { var value: String; var label: String; var selected: Bool }
    struct Shot: Sendable { var href: String; var alt: String }

    var chrome: Chrome
    var orgPath: String
    var id: Int64
    var title: String
    var status: String
    var statusLabel: String
    var priority: String
    var type: String
    var description: String
    var sections: [Field]
    var facts: [Field]
    var issueHref: String?
    var duplicateHref: String?
    var shots: [Shot]
    var resolution: String?
    var resolutionText: String
    var statuses: [Option]
    var priorities: [Option]
    var assignees: [Option]
    var duplicateOf: String
    var error: String?
    var emailNote: String?

    init(_ report: UserReport, scope: PageScope, members: [User], assignee: User?, error: String?) {
        chrome = scope.chrome
        orgPath = scope.orgPath
        id = report.id
        let d = report.draft
        title = d.title
        status = report.status.rawValue
        statusLabel = report.status.rawValue.replacingOccurrences(of: "_", with: " ")
        priority = d.priority.rawValue
        type = d.type.rawValue.replacingOccurrences(of: "_", with: " ")
        description = d.description
        sections = [("Steps to reproduce", d.steps), ("Expected", d.expected), ("Actual", d.actual)].compactMap { label, value in value.map { Field(label: label, value: $0) } }
        let project = scope.projects.first { $0.id == report.projectID }?.name ?? ""
        facts = [("Reporter", [d.name, d.email].compactMap { $0 }.joined(separator: " · ").nonEmpty ?? "anonymous"), ("Reporter type", d.reporterType.rawValue),
                 ("Project", project), ("Page", d.url), ("Browser", d.browser), ("Event", d.eventID), ("Filed", WebFormat.timestamp(report.createdAt)),
                 ("Through", report.source), ("Assigned to", assignee?.email)]
            .compactMap { label, value in value.map { Field(label: label, value: $0) } }
        issueHref = report.issueID.map { "\(scope.orgPath)/issues/\($0)/" }
        duplicateHref = report.duplicateOf.map { "\(scope.orgPath)/user-reports/\($0)/" }
        shots = report.screenshots.enumerated().map { index, shot in
            Shot(href: "\(scope.orgPath)/user-reports/\(report.id)/screenshots/\(shot.id)", alt: "Screenshot \(index + 1) of the report: \(shot.filename)")
        }
        resolution = report.resolution
        resolutionText = report.resolution ?? ""
        statuses = UserReport.Status.allCases.map { Option(value: $0.rawValue, label: $0.rawValue.replacingOccurrences(of: "_", with: " "), selected: $0 == report.status) }
        priorities = UserReport.Priority.allCases.map { Option(value: $0.rawValue, label: $0.rawValue, selected: $0 == d.priority) }
        assignees = [Option(value: "", label: "nobody", selected: report.assigneeID == nil)]
            + members.map { Option(value: $0.email, label: $0.name.isEmpty ? $0.email : "\($0.name) (\($0.email))", selected: $0.id == report.assigneeID) }
        duplicateOf = report.duplicateOf.map(String.init) ?? ""
        self.error = error
        emailNote = d.email.map { _ in "Resolving emails the reporter the resolution note, once, when a mail server is configured." }
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
