import Foundation

public typealias WorkflowID = Identifier<Workflow>

/// A business workflow an organization weighs (booking, payment…): which transactions,
/// endpoints, error tags and business events make it up, its share of the compliance score,
/// its success target, and what a failure costs.
public struct Workflow: Sendable, Hashable {
    public var id: WorkflowID
    public var organizationID: OrganizationID
    public var draft: WorkflowDraft

    public init(id: WorkflowID, organizationID: OrganizationID, draft: WorkflowDraft) {
        self.id = id
        self.organizationID = organizationID
        self.draft = draft
    }
}

/// What a workflow says, in the API's shape: `{"name", "weight", "target", "match":
/// {"transactions", "endpoints", "tags", "events"}, "value_per_failure"}`. Weight and
/// target are percentages.
public struct WorkflowDraft: Sendable, Hashable, Codable {
    public var name: String
    /// Share of the compliance score, in percent; an organization's weights sum to 100.
    public var weight: Double
    /// Success rate the workflow must reach, in percent.
    public var target: Double
    public var match: WorkflowMatch
    /// What one failed operation puts at risk, in the organization's currency.
    public var valuePerFailure: Double

    enum CodingKeys: String, CodingKey {
        case name, weight, target, match
        case valuePerFailure = "value_per_failure"
    }

    public init(name: String, weight: Double, target: Double, match: WorkflowMatch, valuePerFailure: Double = 0) throws(ValidationError) {
        self.name = name
        self.weight = weight
        self.target = target
        self.match = match
        self.valuePerFailure = valuePerFailure
        try validate()
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name)?.trimmingCharacters(in: .whitespaces) ?? ""
        weight = try c.decodeIfPresent(Double.self, forKey: .weight) ?? 0
        target = try c.decodeIfPresent(Double.self, forKey: .target) ?? 95
        match = try c.decodeIfPresent(WorkflowMatch.self, forKey: .match) ?? WorkflowMatch()
        valuePerFailure = try c.decodeIfPresent(Double.self, forKey: .valuePerFailure) ?? 0
        try validate()
    }

    public func validate() throws(ValidationError) {
        guard (1...100).contains(name.count) else { throw ValidationError(field: "name", reason: "must be 1 to 100 characters") }
        guard weight > 0, weight <= 100 else { throw ValidationError(field: "weight", reason: "must be a percentage above 0 and at most 100") }
        guard target > 0, target <= 100 else { throw ValidationError(field: "target", reason: "must be a percentage above 0 and at most 100") }
        guard valuePerFailure >= 0, valuePerFailure.isFinite, valuePerFailure < 1e12 else {
            throw ValidationError(field: "value_per_failure", reason: "must be zero or more")
        }
        try match.validate()
    }
}

/// What belongs to a workflow. Transactions are names as the performance views show them;
/// endpoints are patterns over the same names (`*` matches any run of characters, and a
/// leading HTTP method may be left out); tags attribute error events; events are business
/// event names.
public struct WorkflowMatch: Sendable, Hashable, Codable {
    public var transactions: [String]
    public var endpoints: [String]
    public var tags: [String: String]
    public var events: [String]

    public init(transactions: [String] = [], endpoints: [String] = [], tags: [String: String] = [:], events: [String] = []) {
        self.transactions = transactions
        self.endpoints = endpoints
        self.tags = tags
        self.events = events
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        transactions = try c.decodeIfPresent([String].self, forKey: .transactions) ?? []
        endpoints = try c.decodeIfPresent([String].self, forKey: .endpoints) ?? []
        tags = try c.decodeIfPresent([String: String].self, forKey: .tags) ?? [:]
        events = try c.decodeIfPresent([String].self, forKey: .events) ?? []
    }

    func validate() throws(ValidationError) {
        guard !transactions.isEmpty || !endpoints.isEmpty || !tags.isEmpty || !events.isEmpty else {
            throw ValidationError(field: "match", reason: "needs at least one of transactions, endpoints, tags or events")
        }
        let all = transactions + endpoints + events + tags.keys + tags.values
        guard all.count <= 200 else { throw ValidationError(field: "match", reason: "has more than 200 entries") }
        for text in all where text.isEmpty || text.count > 200 {
            throw ValidationError(field: "match", reason: "entries must be 1 to 200 characters")
        }
    }

    /// Whether a transaction (or an issue's culprit) of this name belongs to the workflow.
    public func matches(transaction name: String) -> Bool {
        if transactions.contains(name) { return true }
        // "POST /api/bookings" also matches the pattern "/api/bookings".
        let bare = name.split(separator: " ", maxSplits: 1).count == 2 && name.first?.isUppercase == true
            ? String(name.split(separator: " ", maxSplits: 1)[1]) : name
        return endpoints.contains { Self.glob($0, name) || Self.glob($0, bare) }
    }

    /// Whether an issue tagged with `tags` belongs to the workflow.
    public func matches(tags issueTags: [String: Set<String>]) -> Bool {
        tags.contains { issueTags[$0.key]?.contains($0.value) ?? false }
    }

    /// `*` matches any run of characters; everything else matches itself.
    static func glob(_ pattern: String, _ text: String) -> Bool {
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(Substring.init)
        guard parts.count > 1 else { return pattern == text }
        var rest = Substring(text)
        guard rest.hasPrefix(parts[0]) else { return false }
        rest = rest.dropFirst(parts[0].count)
        for part in parts.dropFirst().dropLast() where !part.isEmpty {
            guard let range = rest.range(of: part) else { return false }
            rest = rest[range.upperBound...]
        }
        let last = parts[parts.count - 1]
        return last.isEmpty || (rest.hasSuffix(last) && rest.count >= last.count)
    }
}

/// Rules over an organization's whole set of workflows.
public enum WorkflowSet {
    /// A set replaced at once must weigh exactly 100 %.
    public static func validateComplete(_ drafts: [WorkflowDraft]) throws(ValidationError) {
        guard !drafts.isEmpty else { throw ValidationError(field: "workflows", reason: "needs at least one workflow") }
        let total = drafts.reduce(0) { $0 + $1.weight }
        guard abs(total - 100) < 0.001 else {
            throw ValidationError(field: "weight", reason: "weights must sum to 100 %, they sum to \(Self.percent(total)) %")
        }
        try unique(drafts)
    }

    /// One workflow added or changed: the set may be incomplete, but never weigh more than 100 %.
    public static func validatePartial(_ drafts: [WorkflowDraft]) throws(ValidationError) {
        let total = drafts.reduce(0) { $0 + $1.weight }
        guard total <= 100.001 else {
            throw ValidationError(field: "weight", reason: "weights would sum to \(Self.percent(total)) %, more than 100 %")
        }
        try unique(drafts)
    }

    static func unique(_ drafts: [WorkflowDraft]) throws(ValidationError) {
        var seen: Set<String> = []
        for draft in drafts where !seen.insert(draft.name.lowercased()).inserted {
            throw ValidationError(field: "name", reason: "'\(draft.name)' is already a workflow")
        }
        guard drafts.count <= 50 else { throw ValidationError(field: "workflows", reason: "at most 50 workflows") }
    }

    static func percent(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value)
    }
}
