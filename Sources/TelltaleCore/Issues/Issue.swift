public import Foundation

/// An issue: a group of events with one cause, and where its triage stands.
public struct Issue: Sendable, Equatable {
    public var id: Int64
    public var projectID: ProjectID
    /// The number in the short id (`PROJ-12`).
    public var shortNumber: Int64
    public var type: String
    public var title: String
    public var culprit: String
    public var level: String
    public var status: IssueStatus
    public var timesSeen: Int64
    public var userCount: Int64
    public var firstSeen: Date
    public var lastSeen: Date
    public var firstRelease: String?
    public var lastRelease: String?
    public var assignedTo: UserID?
    public var resolvedAt: Date?
    public var resolvedBy: UserID?
    public var resolutionNote: String?
    public var ignore: IgnoreCondition?
    /// When the issue last came back after being resolved.
    public var regressedAt: Date?
    public var grouping: IssueGrouping
    /// Severity, category and business impact; `nil` for issues opened before classification existed.
    public var classification: Classification?

    public init(id: Int64, projectID: ProjectID, shortNumber: Int64, type: String, title: String, culprit: String, level: String,
                status: IssueStatus, timesSeen: Int64, userCount: Int64, firstSeen: Date, lastSeen: Date,
                firstRelease: String? = nil, lastRelease: String? = nil, assignedTo: UserID? = nil, resolvedAt: Date? = nil,
                resolvedBy: UserID? = nil, resolutionNote: String? = nil, ignore: IgnoreCondition? = nil, regressedAt: Date? = nil,
                grouping: IssueGrouping, classification: Classification? = nil) {
        self.id = id
        self.projectID = projectID
        self.shortNumber = shortNumber
        self.type = type
        self.title = title
        self.culprit = culprit
        self.level = level
        self.status = status
        self.timesSeen = timesSeen
        self.userCount = userCount
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.firstRelease = firstRelease
        self.lastRelease = lastRelease
        self.assignedTo = assignedTo
        self.resolvedAt = resolvedAt
        self.resolvedBy = resolvedBy
        self.resolutionNote = resolutionNote
        self.ignore = ignore
        self.regressedAt = regressedAt
        self.grouping = grouping
        self.classification = classification
    }

    /// Seconds from first seen to resolution, for resolved issues.
    public var timeToResolve: TimeInterval? {
        guard status == .resolved, let resolvedAt else { return nil }
        return max(0, resolvedAt.timeIntervalSince(firstSeen))
    }
}

/// Why events were grouped into an issue.
public struct IssueGrouping: Sendable, Equatable {
    public var version: String
    public var strategy: String
    public var components: [String]
    public var primaryHash: String

    public init(version: String, strategy: String, components: [String], primaryHash: String) {
        self.version = version
        self.strategy = strategy
        self.components = components
        self.primaryHash = primaryHash
    }
}

/// One entry of an issue's timeline.
public struct IssueActivity: Sendable, Equatable {
    /// What happened.
    public enum Kind: String, Sendable, CaseIterable {
        case setStatus = "set_status"
        case assigned
        case unassigned
        case note
        case regression = "set_regression"
        case unignored = "set_unignored"
        case merge
        case unmerge
        /// A person set the severity, category or business impact.
        case classified = "set_classification"
    }

    public var id: Int64
    public var issueID: Int64
    public var kind: Kind
    /// Who did it; `nil` when Telltale did (a regression).
    public var userID: UserID?
    /// Details by kind: `status`, `note`, `text`, `assignee`, `issues`….
    public var data: [String: String]
    public var createdAt: Date

    public init(id: Int64, issueID: Int64, kind: Kind, userID: UserID?, data: [String: String], createdAt: Date) {
        self.id = id
        self.issueID = issueID
        self.kind = kind
        self.userID = userID
        self.data = data
        self.createdAt = createdAt
    }
}

/// A tag's most common values on an issue.
public struct IssueTagSummary: Sendable, Equatable {
    public var key: String
    public var totalValues: Int64
    public var topValues: [(value: String, count: Int64, lastSeen: Date)]

    public init(key: String, totalValues: Int64, topValues: [(value: String, count: Int64, lastSeen: Date)]) {
        self.key = key
        self.totalValues = totalValues
        self.topValues = topValues
    }

    public static func == (a: IssueTagSummary, b: IssueTagSummary) -> Bool {
        a.key == b.key && a.totalValues == b.totalValues && a.topValues.elementsEqual(b.topValues) { $0.value == $1.value && $0.count == $1.count && $0.lastSeen == $1.lastSeen }
    }
}

extension Issue {
    /// The issue that absorbs the others in a merge: the one seen most often (the oldest on a
    /// tie), as in Sentry. The REST API and the dashboard both merge by this rule.
    public static func mergeTarget(_ issues: [Issue]) -> Issue? {
        issues.max { ($0.timesSeen, -$0.id) < ($1.timesSeen, -$1.id) }
    }
}
