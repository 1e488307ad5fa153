public import Foundation

/// User reports: filed by the widget, the API or Sentry feedback, read in a queue, triaged.
public protocol UserReportRepository: Sendable {
    /// Stores a report with its screenshots (bytes already checked) and records a
    /// `user_report` detection for the alert rules, in one transaction.
    func create(projectID: ProjectID, organizationID: OrganizationID, _ draft: UserReportDraft, source: String,
                screenshots: [(filename: String, contentType: String, data: [UInt8])], now: Date) async throws -> UserReport
    func report(id: Int64) async throws -> UserReport?
    /// Newest first.
    func reports(_ filter: UserReportFilter) async throws -> [UserReport]
    /// Applies a triage change (and notes it); nil when the report does not exist.
    func update(id: Int64, _ change: UserReportChange, now: Date) async throws -> UserReport?
    /// One screenshot's content type and bytes.
    func screenshot(reportID: Int64, id: Int64) async throws -> (contentType: String, data: [UInt8])?
    /// Open reports (not resolved, closed or duplicate) per project.
    func openCounts(projectIDs: [ProjectID]) async throws -> [ProjectID: Int]
    /// Marks the reporter told of the resolution; false when they already were.
    func markReplied(id: Int64, at: Date) async throws -> Bool
}
