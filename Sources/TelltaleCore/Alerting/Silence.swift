public import Foundation

public typealias SilenceID = Identifier<Silence>

/// Mutes alerts whose labels match every matcher while it lasts. A silenced alert is recorded
/// as silenced, never dropped.
public struct Silence: Sendable, Hashable {
    public struct Matcher: Sendable, Hashable, Codable {
        /// `project`, `environment`, `monitor`, `component`, `rule`, `severity`, `level`, or `tag:<key>`.
        public var key: String
        public var value: String
        /// `true`: the label must differ from `value` (Alertmanager's `!=`).
        public var negated: Bool

        public init(key: String, value: String, negated: Bool = false) throws {
            let known = ["project", "environment", "monitor", "component", "rule", "severity", "level", "issue"]
            guard known.contains(key) || (key.hasPrefix("tag:") && key.count > 4) else {
                throw ValidationError(field: "matchers", reason: "has an unknown key '\(key)'; known: \(known.joined(separator: ", ")), tag:<key>")
            }
            self.key = key
            self.value = value
            self.negated = negated
        }

        enum CodingKeys: String, CodingKey { case key, value, negated }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try self.init(key: try c.decode(String.self, forKey: .key), value: try c.decode(String.self, forKey: .value),
                          negated: try c.decodeIfPresent(Bool.self, forKey: .negated) ?? false)
        }

        func matches(_ labels: [String: String]) -> Bool { (labels[key] == value) != negated }
    }

    public var id: SilenceID
    public var organizationID: OrganizationID
    public var matchers: [Matcher]
    public var startsAt: Date
    public var endsAt: Date
    public var createdBy: UserID?
    public var comment: String

    public init(id: SilenceID, organizationID: OrganizationID, matchers: [Matcher], startsAt: Date, endsAt: Date, createdBy: UserID?, comment: String) {
        self.id = id
        self.organizationID = organizationID
        self.matchers = matchers
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.createdBy = createdBy
        self.comment = comment
    }

    public func isActive(at date: Date) -> Bool { startsAt <= date && date < endsAt }

    public func silences(_ labels: [String: String], at date: Date) -> Bool {
        isActive(at: date) && matchers.allSatisfy { $0.matches(labels) }
    }

    public static func validate(matchers: [Matcher], startsAt: Date, endsAt: Date) throws {
        guard !matchers.isEmpty else { throw ValidationError(field: "matchers", reason: "must have at least one matcher") }
        guard endsAt > startsAt else { throw ValidationError(field: "ends_at", reason: "must be after starts_at") }
    }
}
