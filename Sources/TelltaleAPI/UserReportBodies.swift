import Foundation
import TelltaleCore
import TelltaleHTTP

/// A user report as the API shows it: the fields it was filed with (the issue's shape), its
/// triage state, the linked issue's id and its screenshots' URLs.
public struct UserReportBody: Sendable, Encodable {
    public struct Shot: Sendable, Encodable {
        var id: String
        var filename: String
        var contentType: String
        var size: Int
        var url: String
        enum CodingKeys: String, CodingKey { case id, filename, size, url, contentType = "content_type" }
    }

    var id: String
    var project: String
    var status: String
    var issue: String?
    var type: String
    var priority: String
    var title: String
    var description: String
    var steps: String?
    var expected: String?
    var actual: String?
    var reporterType: String
    var name: String?
    var email: String?
    var url: String?
    var browser: String?
    var eventID: String?
    var source: String
    var assignee: String?
    var duplicateOf: String?
    var resolution: String?
    var screenshots: [Shot]
    var createdAt: Date
    var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, project, status, issue, type, priority, title, description, steps, expected, actual, name, email, url, browser, source, assignee
        case resolution, screenshots
        case reporterType = "reporter_type", eventID = "event_id", duplicateOf = "duplicate_of", createdAt = "created_at", updatedAt = "updated_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(project, forKey: .project)
        try c.encode(status, forKey: .status)
        try c.encode(issue, forKey: .issue)
        try c.encode(type, forKey: .type)
        try c.encode(priority, forKey: .priority)
        try c.encode(title, forKey: .title)
        try c.encode(description, forKey: .description)
        try c.encode(steps, forKey: .steps)
        try c.encode(expected, forKey: .expected)
        try c.encode(actual, forKey: .actual)
        try c.encode(reporterType, forKey: .reporterType)
        try c.encode(name, forKey: .name)
        try c.encode(email, forKey: .email)
        try c.encode(url, forKey: .url)
        try c.encode(browser, forKey: .browser)
        try c.encode(eventID, forKey: .eventID)
        try c.encode(source, forKey: .source)
        try c.encode(assignee, forKey: .assignee)
        try c.encode(duplicateOf, forKey: .duplicateOf)
        try c.encode(resolution, forKey: .resolution)
        try c.encode(screenshots, forKey: .screenshots)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
    }

    /// Bodies for reports of `projects`, with their assignees' emails.
    static func list(_ reports: [UserReport], projects: [Project], repositories: Repositories) async throws -> [UserReportBody] {
        var emails: [UserID: String] = [:]
        for id in Set(reports.compactMap(\.assigneeID)) { emails[id] = try await repositories.users.user(id: id)?.email }
        let slugs = Dictionary(projects.map { ($0.id, $0.slug.rawValue) }, uniquingKeysWith: { a, _ in a })
        return reports.map { report in
            let d = report.draft
            return UserReportBody(
                id: String(report.id), project: slugs[report.projectID] ?? String(report.projectID.rawValue), status: report.status.rawValue,
                issue: report.issueID.map(String.init), type: d.type.rawValue, priority: d.priority.rawValue, title: d.title, description: d.description,
                steps: d.steps, expected: d.expected, actual: d.actual, reporterType: d.reporterType.rawValue, name: d.name, email: d.email, url: d.url,
                browser: d.browser, eventID: d.eventID, source: report.source, assignee: report.assigneeID.flatMap { emails[$0] },
                duplicateOf: report.duplicateOf.map(String.init), resolution: report.resolution,
                screenshots: report.screenshots.map { shot in
                    Shot(id: String(shot.id), filename: shot.filename, contentType: shot.contentType, size: shot.size,
                         url: "/api/0/user-reports/\(report.id)/screenshots/\(shot.id)/")
                },
                createdAt: report.createdAt, updatedAt: report.updatedAt)
        }
    }
}

