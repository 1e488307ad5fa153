public import Foundation
import SentryProtocol

/// A problem reported by a person (a customer, an organization's owner, staff) through the
/// widget, the API or a Sentry SDK's feedback, triaged in a queue.
public struct UserReport: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case bug, featureRequest = "feature_request", performance, uiIssue = "ui_issue", dataIssue = "data_issue", other
    }
    public enum Priority: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
        case low, medium, high, critical
        public static func < (a: Self, b: Self) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
        /// The alert severity of the same name.
        public var severity: IssueSeverity { IssueSeverity(rawValue: rawValue) ?? .medium }
    }
    public enum ReporterType: String, Sendable, Hashable, Codable, CaseIterable { case customer, owner, staff }
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        case open, inProgress = "in_progress", pendingInfo = "pending_info", resolved, closed, duplicate
        /// Done with: resolved, closed or a duplicate.
        public var isFinal: Bool { [.resolved, .closed, .duplicate].contains(self) }
    }

    public var id: Int64
    public var projectID: ProjectID
    public var draft: UserReportDraft
    /// `widget`, `api`, or the Sentry item it came from (`user_report`, `feedback`).
    public var source: String
    public var status: Status
    public var assigneeID: UserID?
    public var duplicateOf: Int64?
    public var resolution: String?
    /// The issue of the event the report names, once that event is stored.
    public var issueID: Int64?
    public var screenshots: [ScreenshotInfo]
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: Int64, projectID: ProjectID, draft: UserReportDraft, source: String, status: Status, assigneeID: UserID?, duplicateOf: Int64?,
                resolution: String?, issueID: Int64?, screenshots: [ScreenshotInfo], createdAt: Date, updatedAt: Date) {
        self.id = id
        self.projectID = projectID
        self.draft = draft
        self.source = source
        self.status = status
        self.assigneeID = assigneeID
        self.duplicateOf = duplicateOf
        self.resolution = resolution
        self.issueID = issueID
        self.screenshots = screenshots
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// A stored screenshot's facts (its bytes are read on their own).
    public struct ScreenshotInfo: Sendable, Hashable {
        public var id: Int64
        public var filename: String
        public var contentType: String
        public var size: Int

        public init(id: Int64, filename: String, contentType: String, size: Int) {
            self.id = id
            self.filename = filename
            self.contentType = contentType
            self.size = size
        }
    }
}

/// What a reporter sends, in the API's shape: `{"type", "priority", "title", "description",
/// "steps", "expected", "actual", "reporter_type", "name", "email", "url", "browser",
/// "event_id"}`. Text is kept as written (pages and emails escape it).
public struct UserReportDraft: Sendable, Hashable, Codable {
    public var type: UserReport.Kind
    public var priority: UserReport.Priority
    public var title: String
    public var description: String
    public var steps: String?
    public var expected: String?
    public var actual: String?
    public var reporterType: UserReport.ReporterType
    public var name: String?
    public var email: String?
    public var url: String?
    public var browser: String?
    public var eventID: String?

    enum CodingKeys: String, CodingKey {
        case type, priority, title, description, steps, expected, actual, name, email, url, browser
        case reporterType = "reporter_type", eventID = "event_id"
    }

    public init(type: UserReport.Kind = .bug, priority: UserReport.Priority = .medium, title: String, description: String, steps: String? = nil,
                expected: String? = nil, actual: String? = nil, reporterType: UserReport.ReporterType = .customer, name: String? = nil,
                email: String? = nil, url: String? = nil, browser: String? = nil, eventID: String? = nil) {
        self.type = type
        self.priority = priority
        self.title = title
        self.description = description
        self.steps = steps
        self.expected = expected
        self.actual = actual
        self.reporterType = reporterType
        self.name = name
        self.email = email
        self.url = url
        self.browser = browser
        self.eventID = eventID
    }

    /// Decodes and checks a report; unknown enum values and bad fields throw `ValidationError`
    /// naming the field.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func text(_ key: CodingKeys) throws -> String? {
            try c.decodeIfPresent(String.self, forKey: key).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        func choice<T: RawRepresentable & CaseIterable>(_ key: CodingKeys, _ fallback: T) throws -> T where T.RawValue == String {
            guard let raw = try text(key) else { return fallback }
            guard let value = T(rawValue: raw) else {
                throw ValidationError(field: key.stringValue, reason: "must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return value
        }
        type = try choice(.type, UserReport.Kind.bug)
        priority = try choice(.priority, UserReport.Priority.medium)
        reporterType = try choice(.reporterType, UserReport.ReporterType.customer)
        description = try text(.description) ?? ""
        title = try text(.title) ?? Self.titleFrom(description)
        steps = try text(.steps)
        expected = try text(.expected)
        actual = try text(.actual)
        name = try text(.name)
        email = try text(.email)
        url = try text(.url)
        browser = try text(.browser)
        eventID = try text(.eventID)
        try validate()
    }

    /// A title from the first line of a description (Sentry feedback has none).
    public static func titleFrom(_ description: String) -> String {
        let line = description.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return line.count > 80 ? String(line.prefix(79)) + "…" : line
    }

    public func validate() throws(ValidationError) {
        guard (1...200).contains(title.count) else { throw ValidationError(field: "title", reason: "must be 1 to 200 characters") }
        guard (1...10_000).contains(description.count) else { throw ValidationError(field: "description", reason: "must be 1 to 10000 characters") }
        for (field, value) in [("steps", steps), ("expected", expected), ("actual", actual)] where (value?.count ?? 0) > 10_000 {
            throw ValidationError(field: field, reason: "must be at most 10000 characters")
        }
        for (field, value) in [("name", name), ("url", url), ("browser", browser)] where (value?.count ?? 0) > 2_000 {
            throw ValidationError(field: field, reason: "must be at most 2000 characters")
        }
        if let email {
            let parts = email.split(separator: "@", omittingEmptySubsequences: false)
            guard email.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !email.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" }) else {
                throw ValidationError(field: "email", reason: "must be an email address")
            }
        }
        if let eventID, EventID.normalize(eventID) == nil { throw ValidationError(field: "event_id", reason: "must be an event id (32 hexadecimal digits)") }
    }
}

/// A screenshot attached to a report: PNG or JPEG by its first bytes (whatever it claims),
/// at most 5 MB, at most three per report.
public enum Screenshot {
    public static let maxBytes = 5 << 20
    public static let maxCount = 3

    /// The content type the bytes prove, or nil when they are neither PNG nor JPEG.
    public static func contentType(of bytes: some Collection<UInt8>) -> String? {
        let head = Array(bytes.prefix(8))
        if head == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] { return "image/png" }
        if head.count >= 3, head[0] == 0xFF, head[1] == 0xD8, head[2] == 0xFF { return "image/jpeg" }
        return nil
    }

    /// Checks one screenshot (the `index`th); returns its proven content type.
    public static func check(_ bytes: some Collection<UInt8>, index: Int) throws(ValidationError) -> String {
        guard bytes.count <= maxBytes else { throw ValidationError(field: "screenshots[\(index)]", reason: "is \(bytes.count) bytes, at most \(maxBytes)") }
        guard let type = contentType(of: bytes) else { throw ValidationError(field: "screenshots[\(index)]", reason: "is not a PNG or JPEG image") }
        return type
    }
}

/// Which reports a queue shows.
public struct UserReportFilter: Sendable, Hashable {
    public var statuses: [UserReport.Status]
    public var type: UserReport.Kind?
    public var priority: UserReport.Priority?
    public var reporterType: UserReport.ReporterType?
    public var projectIDs: [ProjectID]
    public var issueID: Int64?
    public var assigneeID: UserID?
    public var limit: Int

    public init(statuses: [UserReport.Status] = [], type: UserReport.Kind? = nil, priority: UserReport.Priority? = nil,
                reporterType: UserReport.ReporterType? = nil, projectIDs: [ProjectID], issueID: Int64? = nil, assigneeID: UserID? = nil, limit: Int = 100) {
        self.statuses = statuses
        self.type = type
        self.priority = priority
        self.reporterType = reporterType
        self.projectIDs = projectIDs
        self.issueID = issueID
        self.assigneeID = assigneeID
        self.limit = limit
    }
}

/// A triage change: any of status, priority, assignee, duplicate-of and resolution note.
public struct UserReportChange: Sendable, Hashable {
    public var status: UserReport.Status?
    public var priority: UserReport.Priority?
    /// `.some(nil)` unassigns.
    public var assigneeID: UserID??
    public var duplicateOf: Int64?
    public var resolution: String?

    public init(status: UserReport.Status? = nil, priority: UserReport.Priority? = nil, assigneeID: UserID?? = nil, duplicateOf: Int64? = nil, resolution: String? = nil) {
        self.status = status
        self.priority = priority
        self.assigneeID = assigneeID
        self.duplicateOf = duplicateOf
        self.resolution = resolution
    }

    /// A duplicate names the report it repeats (not itself); only a duplicate does.
    public func validate(reportID: Int64) throws(ValidationError) {
        if status == .duplicate {
            guard let duplicateOf else { throw ValidationError(field: "duplicate_of", reason: "is required when the status is duplicate") }
            guard duplicateOf != reportID else { throw ValidationError(field: "duplicate_of", reason: "must be another report") }
        } else if duplicateOf != nil {
            throw ValidationError(field: "duplicate_of", reason: "is only for the status duplicate")
        }
        guard (resolution?.count ?? 0) <= 10_000 else { throw ValidationError(field: "resolution", reason: "must be at most 10000 characters") }
    }
}
