public import Foundation

/// A parsed issue search: every filter must hold (Sentry's search syntax, the parts that
/// apply to issues).
public struct IssueQuery: Sendable, Equatable {
    /// How a number or a time is compared.
    public enum Comparison: String, Sendable, Equatable {
        case equal = "="
        case greater = ">"
        case greaterOrEqual = ">="
        case less = "<"
        case lessOrEqual = "<="
    }

    /// Whose issues `assigned:` asks for.
    public enum Assignee: Sendable, Equatable {
        case me
        case nobody
        case anybody
        case email(String)
    }

    /// An issue column compared with a number.
    public enum Count: String, Sendable, Equatable {
        case timesSeen = "times_seen"
        case userCount = "user_count"
    }

    /// An issue column compared with a time.
    public enum Moment: String, Sendable, Equatable {
        case firstSeen = "first_seen"
        case lastSeen = "last_seen"
    }

    /// A classification field, named as its column.
    public enum ClassificationField: String, Sendable, Equatable {
        case severity, category, impact = "business_impact"
    }

    /// One condition.
    public enum Filter: Sendable, Equatable {
        case status([IssueStatus], negated: Bool)
        case assigned(Assignee, negated: Bool)
        case level([String], negated: Bool)
        /// The issue's classification: `severity:`, `category:`, `impact:`.
        case classification(ClassificationField, [String], negated: Bool)
        case count(Count, Comparison, Int64)
        case time(Moment, Comparison, Date)
        /// Events of the issue carried this tag with one of these values (environment,
        /// release and user fields are tags too).
        case tag(key: String, values: [String], negated: Bool)
        /// Title or culprit contains the text (case-insensitive).
        case text(String)
    }

    public var filters: [Filter]

    public init(filters: [Filter]) {
        self.filters = filters
    }

    /// The default list: what still needs attention.
    public static let unresolved = IssueQuery(filters: [.status(IssueStatus.allCases.filter(\.isUnresolved), negated: false)])
}

/// How issue lists are ordered (Sentry's sort names); always newest or largest first.
public enum IssueSort: String, Sendable, CaseIterable {
    /// Last seen.
    case date
    /// First seen.
    case new
    /// Event count.
    case freq
    /// Users affected.
    case user
}

/// A search that cannot be understood; names the offending token.
public struct IssueQueryError: Error, Sendable, Equatable, CustomStringConvertible {
    public var token: String
    public var reason: String
    public var description: String { "invalid search at '\(token)': \(reason)" }

    public init(token: String, reason: String) {
        self.token = token
        self.reason = reason
    }
}
