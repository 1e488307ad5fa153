public import Foundation
public import TelltaleCore

/// A triage change as the API and the dashboard send it: the assignee by email or user id
/// (empty or null unassigns), the duplicate by report id.
public struct UserReportChangeInput: Sendable, Decodable {
    public var status: UserReport.Status?
    public var priority: UserReport.Priority?
    public var assignee: String??
    public var duplicateOf: Int64?
    public var resolution: String?

    enum CodingKeys: String, CodingKey { case status, priority, assignee, duplicateOf = "duplicate_of", resolution }

    public init(status: UserReport.Status? = nil, priority: UserReport.Priority? = nil, assignee: String?? = nil, duplicateOf: Int64? = nil, resolution: String? = nil) {
        self.status = status
        self.priority = priority
        self.assignee = assignee
        self.duplicateOf = duplicateOf
        self.resolution = resolution
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let raw = try c.decodeIfPresent(String.self, forKey: .status) {
            guard let value = UserReport.Status(rawValue: raw) else {
                throw ValidationError(field: "status", reason: "must be one of \(UserReport.Status.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            status = value
        }
        if let raw = try c.decodeIfPresent(String.self, forKey: .priority) {
            guard let value = UserReport.Priority(rawValue: raw) else {
                throw ValidationError(field: "priority", reason: "must be one of \(UserReport.Priority.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            priority = value
        }
        if c.contains(.assignee) { assignee = .some(try c.decodeNil(forKey: .assignee) ? nil : try c.decode(String.self, forKey: .assignee)) }
        if let text = try? c.decodeIfPresent(String.self, forKey: .duplicateOf) {
            guard let id = Int64(text) else { throw ValidationError(field: "duplicate_of", reason: "must be a report id") }
            duplicateOf = id
        } else {
            duplicateOf = try c.decodeIfPresent(Int64.self, forKey: .duplicateOf)
        }
        resolution = try c.decodeIfPresent(String.self, forKey: .resolution)
    }
}

/// Applies triage changes with the organization's rules: the assignee is a member, the
/// duplicate is another report of the same organization.
public struct UserReportTriage: Sendable {
    let repositories: Repositories

    public init(repositories: Repositories) {
        self.repositories = repositories
    }

    /// Applies the change; when it resolves a report that left an email, `reply` tells the
    /// reporter (once: the report is marked replied first).
    public func apply(_ input: UserReportChangeInput, to report: UserReport, organization: Organization, now: Date,
                      reply: @Sendable (UserReport, Organization) async -> Void) async throws -> UserReport {
        let updated = try await change(input, to: report, organization: organization, now: now)
        if updated.status == .resolved, report.status != .resolved, updated.draft.email != nil,
           try await repositories.userReports.markReplied(id: updated.id, at: now) {
            await reply(updated, organization)
        }
        return updated
    }

    func change(_ input: UserReportChangeInput, to report: UserReport, organization: Organization, now: Date) async throws -> UserReport {
        var change = UserReportChange(status: input.status, priority: input.priority, duplicateOf: input.duplicateOf, resolution: input.resolution)
        if case .some(let who) = input.assignee {
            if let who, !who.isEmpty {
                let members = try await repositories.organizations.members(of: organization.id)
                guard let member = members.first(where: { $0.0.email.lowercased() == who.lowercased() || $0.0.id.description == who }) else {
                    throw ValidationError(field: "assignee", reason: "must be a member of the organization (email or user id)")
                }
                change.assigneeID = .some(member.0.id)
            } else {
                change.assigneeID = .some(nil)
            }
        }
        try change.validate(reportID: report.id)
        if let other = change.duplicateOf {
            guard let original = try await repositories.userReports.report(id: other),
                  let project = try await repositories.projects.project(id: original.projectID), project.organizationID == organization.id else {
                throw ValidationError(field: "duplicate_of", reason: "must be a report of the same organization")
            }
        }
        guard let updated = try await repositories.userReports.update(id: report.id, change, now: now) else { throw DomainError.notFound("user report") }
        return updated
    }
}

/// `?status=open,in_progress&type=&priority=&reporter_type=&project=&issue=&limit=`, checked.
public enum UserReportQuery {
    public static func filter(_ query: some Sequence<(key: Substring, value: Substring)>, projects: [Project]) throws(ValidationError) -> UserReportFilter {
        var values: [String: String] = [:]
        for (key, value) in query where !value.isEmpty { values[String(key)] = String(value) }
        return try filter(values: values, projects: projects)
    }

    /// The same from the query's values by name (empty values left out).
    public static func filter(values: [String: String], projects: [Project]) throws(ValidationError) -> UserReportFilter {
        func choice<T: RawRepresentable & CaseIterable>(_ key: String, _: T.Type) throws(ValidationError) -> T? where T.RawValue == String {
            guard let raw = values[key] else { return nil }
            guard let value = T(rawValue: raw) else { throw ValidationError(field: key, reason: "must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))") }
            return value
        }
        var statuses: [UserReport.Status] = []
        for raw in (values["status"] ?? "").split(separator: ",") {
            guard let status = UserReport.Status(rawValue: String(raw)) else {
                throw ValidationError(field: "status", reason: "must be one or more of \(UserReport.Status.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            statuses.append(status)
        }
        var ids = projects.map(\.id)
        if let slug = values["project"] {
            guard let project = projects.first(where: { $0.slug.rawValue == slug }) else { throw ValidationError(field: "project", reason: "is not a project of the organization") }
            ids = [project.id]
        }
        var issue: Int64?
        if let text = values["issue"] {
            guard let id = Int64(text) else { throw ValidationError(field: "issue", reason: "must be an issue id") }
            issue = id
        }
        return UserReportFilter(statuses: statuses, type: try choice("type", UserReport.Kind.self), priority: try choice("priority", UserReport.Priority.self),
                                reporterType: try choice("reporter_type", UserReport.ReporterType.self), projectIDs: ids, issueID: issue,
                                limit: values["limit"].flatMap(Int.init) ?? 100)
    }
}
