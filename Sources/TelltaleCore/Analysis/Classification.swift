public import Foundation

/// How serious an issue is for the people running the service: kept apart from the SDK's
/// event `level`, which says how the program logged it.
public enum IssueSeverity: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case info, low, medium, high, critical

    public static func < (lhs: Self, rhs: Self) -> Bool { allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)! }

    /// The severity an event's level suggests when nothing else decides: the same as an
    /// alert's for that level, so an unclassified and a classified issue alert alike.
    public static func of(_ level: EventLevel) -> IssueSeverity {
        switch level {
        case .fatal: .critical
        case .error: .high
        case .warning: .medium
        case .info: .low
        case .debug: .info
        }
    }
}

/// What an issue means for the business.
public enum BusinessImpact: String, Sendable, Hashable, Codable, CaseIterable {
    case revenueBlocking = "revenue_blocking", userBlocking = "user_blocking", experienceDegrading = "experience_degrading", operational, monitoring
}

/// What kind of failure an issue is. A name: the default set below, extended by an
/// organization's rules with names of its own (lowercase letters, digits and `_`).
public struct IssueCategory: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public var rawValue: String

    public init?(rawValue: String) {
        let valid = (1...50).contains(rawValue.count) && rawValue.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }
        guard valid else { return nil }
        self.rawValue = rawValue
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let category = IssueCategory(rawValue: text) else {
            throw ValidationError(field: "category", reason: "must be 1 to 50 lowercase letters, digits or _")
        }
        self = category
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    public static let defaults = ["database", "network", "external_service", "authentication", "authorization", "validation", "payment", "performance",
                                  "runtime", "crash", "security", "business_logic", "user_experience", "unknown"]
    public static let unknown = IssueCategory(rawValue: "unknown")!
}

/// Who decided a classification: a rule of the organization, a built-in rule, the client's
/// own values, or a person (an override, which sticks).
public enum ClassifiedBy: Sendable, Hashable, CustomStringConvertible {
    case rule(ClassificationRuleID)
    case builtIn(String)
    case client
    case user
    /// Nothing matched: the event's level and the defaults.
    case level

    /// `rule:12`, `default:payment`, `client`, `user`, `level`: how it is stored and shown.
    public var description: String {
        switch self {
        case .rule(let id): "rule:\(id)"
        case .builtIn(let name): "default:\(name)"
        case .client: "client"
        case .user: "user"
        case .level: "level"
        }
    }

    public init?(_ text: String) {
        if text.hasPrefix("rule:"), let id = Int64(text.dropFirst(5)) { self = .rule(ClassificationRuleID(id)); return }
        if text.hasPrefix("default:") { self = .builtIn(String(text.dropFirst(8))); return }
        switch text {
        case "client": self = .client
        case "user": self = .user
        case "level": self = .level
        default: return nil
        }
    }
}

/// An issue's severity, category and business impact, and what decided them.
public struct Classification: Sendable, Hashable {
    public var severity: IssueSeverity
    public var category: IssueCategory
    public var impact: BusinessImpact
    public var classifiedBy: ClassifiedBy

    public init(severity: IssueSeverity, category: IssueCategory, impact: BusinessImpact, classifiedBy: ClassifiedBy) {
        self.severity = severity
        self.category = category
        self.impact = impact
        self.classifiedBy = classifiedBy
    }
}

/// What the classifier looks at: an issue's first event (or, for a dry run, its latest).
public struct ClassificationInput: Sendable, Hashable {
    public var type: String
    public var message: String
    /// The culprit: module or function where it happened.
    public var module: String
    public var transaction: String?
    public var level: EventLevel
    public var handled: Bool?
    public var tags: [String: String]
    public var at: Date
    /// The issue's events in the last N minutes, by N: what `frequency` conditions test. A
    /// window not counted is taken as the one event at hand (an issue's first).
    public var recentEvents: [Int: Int] = [:]
    /// Distinct users affected so far.
    public var users: Int = 0

    /// An error event's exception type from its stored title (`Type: value`), when the type
    /// itself was not kept.
    public static func exceptionType(title: String, eventType: String) -> String {
        guard eventType == "error", let colon = title.range(of: ": ") else { return "" }
        return String(title[..<colon.lowerBound])
    }

    public init(type: String, message: String, module: String, transaction: String?, level: EventLevel, handled: Bool?, tags: [String: String], at: Date) {
        self.type = type
        self.message = message
        self.module = module
        self.transaction = transaction
        self.level = level
        self.handled = handled
        self.tags = tags
        self.at = at
    }
}

extension Classification {
    /// A person's override of some fields (`nil` keeps the field), checked: the result is
    /// decided by `user` and sticks.
    public static func overridden(_ current: Classification?, level: EventLevel, severity: String?, category: String?, impact: String?) throws -> Classification {
        var next = current ?? Classification(severity: .of(level), category: .unknown, impact: .operational, classifiedBy: .level)
        if let severity {
            guard let value = IssueSeverity(rawValue: severity) else {
                throw ValidationError(field: "severity", reason: "must be one of \(IssueSeverity.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            next.severity = value
        }
        if let category {
            guard let value = IssueCategory(rawValue: category) else { throw ValidationError(field: "category", reason: "must be 1 to 50 lowercase letters, digits or _") }
            next.category = value
        }
        if let impact {
            guard let value = BusinessImpact(rawValue: impact) else {
                throw ValidationError(field: "business_impact", reason: "must be one of \(BusinessImpact.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            next.impact = value
        }
        next.classifiedBy = .user
        return next
    }
}
