import Foundation

public typealias ClassificationRuleID = Identifier<ClassificationRule>

/// An organization's classification rule: when its conditions hold for an issue's first event,
/// it sets the severity, category and/or business impact it names. Rules run in `position` order;
/// for each field the first matching rule that sets it decides.
public struct ClassificationRule: Sendable, Hashable {
    public var id: ClassificationRuleID
    public var organizationID: OrganizationID
    public var draft: ClassificationRuleDraft

    public init(id: ClassificationRuleID, organizationID: OrganizationID, draft: ClassificationRuleDraft) {
        self.id = id
        self.organizationID = organizationID
        self.draft = draft
    }
}

/// What a rule tests. Texts match case-insensitively as substrings; `a|b` matches either.
public enum ClassificationCondition: Sendable, Hashable {
    case exceptionType(String)
    case message(String)
    /// The culprit (module or function).
    case module(String)
    /// The transaction or endpoint (`/checkout`, `POST /api/pay`).
    case transaction(String)
    /// A tag with this key, and this value when one is given.
    case tag(key: String, value: String?)
    case level(atLeast: EventLevel)
    case handled(Bool)
    /// Inside (or outside) a business calendar's windows.
    case calendar(BusinessCalendarID, inside: Bool)
    /// At least `count` events of the issue in the last `minutes` (counted in five-minute
    /// buckets): checked again by the detectors as events arrive, and escalates severity.
    case frequency(count: Int, minutes: Int)
    /// At least `count` distinct users affected, checked the same way.
    case users(count: Int)

    public static let typeNames = ["exception_type", "message", "module", "transaction", "tag", "level", "handled", "calendar", "frequency", "users"]

    /// Whether the condition counts events or users, which only the detectors can tell.
    public var counts: Bool {
        switch self {
        case .frequency, .users: true
        default: false
        }
    }
}

/// What a rule says, as the API and the database hold it.
public struct ClassificationRuleDraft: Sendable, Hashable {
    public enum Match: String, Sendable, Hashable, Codable { case all, any }

    public var name: String
    public var position: Int
    public var enabled: Bool
    public var match: Match
    public var conditions: [ClassificationCondition]
    public var severity: IssueSeverity?
    public var category: IssueCategory?
    public var impact: BusinessImpact?
    /// Whether the rule wins over values the client sent (`severity`, `category`,
    /// `business_impact` in the event or its tags).
    public var overridesClient: Bool

    public init(name: String, position: Int = 0, enabled: Bool = true, match: Match = .all, conditions: [ClassificationCondition],
                severity: IssueSeverity? = nil, category: IssueCategory? = nil, impact: BusinessImpact? = nil, overridesClient: Bool = false) throws {
        self.init(unchecked: name, position: position, enabled: enabled, match: match, conditions: conditions, severity: severity, category: category,
                  impact: impact, overridesClient: overridesClient)
        try validate()
    }

    /// For rules written in code (the built-ins), valid by construction.
    init(unchecked name: String, position: Int = 0, enabled: Bool = true, match: Match = .all, conditions: [ClassificationCondition],
         severity: IssueSeverity? = nil, category: IssueCategory? = nil, impact: BusinessImpact? = nil, overridesClient: Bool = false) {
        self.name = name
        self.position = position
        self.enabled = enabled
        self.match = match
        self.conditions = conditions
        self.severity = severity
        self.category = category
        self.impact = impact
        self.overridesClient = overridesClient
    }

    func validate() throws {
        guard (1...200).contains(name.trimmingCharacters(in: .whitespaces).count) else { throw ValidationError(field: "name", reason: "must be 1 to 200 characters") }
        guard !conditions.isEmpty else { throw ValidationError(field: "conditions", reason: "must have at least one condition") }
        guard severity != nil || category != nil || impact != nil else {
            throw ValidationError(field: "severity", reason: "or category or business_impact must be set: a rule must decide something")
        }
    }

    public var calendarIDs: [BusinessCalendarID] {
        conditions.compactMap { if case .calendar(let id, _) = $0 { id } else { nil } }
    }
}

extension ClassificationRuleDraft: Codable {
    enum CodingKeys: String, CodingKey {
        case name, position, enabled, match, conditions, severity, category, impact = "business_impact", overridesClient = "override_client"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func decode<T: RawRepresentable<String>>(_ type: T.Type, _ key: CodingKeys, _ allowed: [String]) throws -> T? {
            guard let text = try c.decodeIfPresent(String.self, forKey: key) else { return nil }
            guard let value = T(rawValue: text) else { throw ValidationError(field: key.stringValue, reason: "must be one of \(allowed.joined(separator: ", "))") }
            return value
        }
        try self.init(
            name: try c.decodeIfPresent(String.self, forKey: .name) ?? "", position: try c.decodeIfPresent(Int.self, forKey: .position) ?? 0,
            enabled: try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? true,
            match: try decode(Match.self, .match, ["all", "any"]) ?? .all,
            conditions: try c.decodeIfPresent([ClassificationCondition].self, forKey: .conditions) ?? [],
            severity: try decode(IssueSeverity.self, .severity, IssueSeverity.allCases.map(\.rawValue)),
            category: try c.decodeIfPresent(IssueCategory.self, forKey: .category),
            impact: try decode(BusinessImpact.self, .impact, BusinessImpact.allCases.map(\.rawValue)),
            overridesClient: try c.decodeIfPresent(Bool.self, forKey: .overridesClient) ?? false)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(position, forKey: .position)
        try c.encode(enabled, forKey: .enabled)
        try c.encode(match.rawValue, forKey: .match)
        try c.encode(conditions, forKey: .conditions)
        try c.encode(severity?.rawValue, forKey: .severity)
        try c.encode(category, forKey: .category)
        try c.encode(impact?.rawValue, forKey: .impact)
        try c.encode(overridesClient, forKey: .overridesClient)
    }
}

extension ClassificationCondition: Codable {
    enum CodingKeys: String, CodingKey { case type, pattern, key, value, atLeast = "at_least", id, inside, count, minutes }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decodeIfPresent(String.self, forKey: .type) ?? ""
        func pattern() throws -> String {
            guard let text = try c.decodeIfPresent(String.self, forKey: .pattern), (1...500).contains(text.count) else {
                throw ValidationError(field: "conditions.pattern", reason: "must be 1 to 500 characters")
            }
            return text
        }
        switch type {
        case "exception_type": self = .exceptionType(try pattern())
        case "message": self = .message(try pattern())
        case "module": self = .module(try pattern())
        case "transaction": self = .transaction(try pattern())
        case "tag":
            guard let key = try c.decodeIfPresent(String.self, forKey: .key), !key.isEmpty else { throw ValidationError(field: "conditions.key", reason: "is required") }
            self = .tag(key: key, value: try c.decodeIfPresent(String.self, forKey: .value))
        case "level":
            guard let level = EventLevel(rawValue: try c.decodeIfPresent(String.self, forKey: .atLeast) ?? "") else {
                throw ValidationError(field: "conditions.at_least", reason: "must be one of \(EventLevel.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            self = .level(atLeast: level)
        case "handled":
            guard let value = try c.decodeIfPresent(Bool.self, forKey: .value) else { throw ValidationError(field: "conditions.value", reason: "must be true or false") }
            self = .handled(value)
        case "calendar":
            guard let id = try c.decodeID(forKey: .id, field: "conditions.id") else { throw ValidationError(field: "conditions.id", reason: "is required") }
            self = .calendar(BusinessCalendarID(id), inside: try c.decodeIfPresent(Bool.self, forKey: .inside) ?? true)
        case "frequency":
            guard let count = try c.decodeIfPresent(Int.self, forKey: .count), (1...1_000_000).contains(count) else {
                throw ValidationError(field: "conditions.count", reason: "must be 1 to 1000000")
            }
            guard let minutes = try c.decodeIfPresent(Int.self, forKey: .minutes), (1...1_440).contains(minutes) else {
                throw ValidationError(field: "conditions.minutes", reason: "must be 1 to 1440")
            }
            self = .frequency(count: count, minutes: minutes)
        case "users":
            guard let count = try c.decodeIfPresent(Int.self, forKey: .count), (1...10_000_000).contains(count) else {
                throw ValidationError(field: "conditions.count", reason: "must be 1 to 10000000")
            }
            self = .users(count: count)
        default:
            throw ValidationError(field: "conditions.type", reason: "must be one of \(Self.typeNames.joined(separator: ", "))")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .exceptionType(let pattern): try c.encode("exception_type", forKey: .type); try c.encode(pattern, forKey: .pattern)
        case .message(let pattern): try c.encode("message", forKey: .type); try c.encode(pattern, forKey: .pattern)
        case .module(let pattern): try c.encode("module", forKey: .type); try c.encode(pattern, forKey: .pattern)
        case .transaction(let pattern): try c.encode("transaction", forKey: .type); try c.encode(pattern, forKey: .pattern)
        case .tag(let key, let value): try c.encode("tag", forKey: .type); try c.encode(key, forKey: .key); try c.encodeIfPresent(value, forKey: .value)
        case .level(let level): try c.encode("level", forKey: .type); try c.encode(level.rawValue, forKey: .atLeast)
        case .handled(let value): try c.encode("handled", forKey: .type); try c.encode(value, forKey: .value)
        case .calendar(let id, let inside): try c.encode("calendar", forKey: .type); try c.encode(id.rawValue, forKey: .id); try c.encode(inside, forKey: .inside)
        case .frequency(let count, let minutes): try c.encode("frequency", forKey: .type); try c.encode(count, forKey: .count); try c.encode(minutes, forKey: .minutes)
        case .users(let count): try c.encode("users", forKey: .type); try c.encode(count, forKey: .count)
        }
    }
}
