import Foundation

public typealias FunnelID = Identifier<Funnel>

/// A conversion funnel of an organization: business events in order (signup started →
/// signup completed → first booking), followed per user within a conversion window.
public struct Funnel: Sendable, Hashable {
    public var id: FunnelID
    public var organizationID: OrganizationID
    public var draft: FunnelDraft

    public init(id: FunnelID, organizationID: OrganizationID, draft: FunnelDraft) {
        self.id = id
        self.organizationID = organizationID
        self.draft = draft
    }
}

/// What a funnel says, in the API's shape: `{"name", "steps": [{"event", "where": {…},
/// "label"}], "conversion_window_seconds", "segments": ["user_type", …]}`. Segments are
/// property names whose values, taken from the event that entered the funnel, split the
/// figures (user type, traffic source, device).
public struct FunnelDraft: Sendable, Hashable, Codable {
    public var name: String
    public var steps: [FunnelStep]
    public var conversionWindowSeconds: Int
    public var segments: [String]

    public static let maxSteps = 10
    public static let maxSegments = 5

    enum CodingKeys: String, CodingKey {
        case name, steps, segments
        case conversionWindowSeconds = "conversion_window_seconds"
    }

    public init(name: String, steps: [FunnelStep], conversionWindowSeconds: Int = 7 * 86_400, segments: [String] = []) throws(ValidationError) {
        self.name = name
        self.steps = steps
        self.conversionWindowSeconds = conversionWindowSeconds
        self.segments = segments
        try validate()
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name)?.trimmingCharacters(in: .whitespaces) ?? ""
        steps = try c.decodeIfPresent([FunnelStep].self, forKey: .steps) ?? []
        conversionWindowSeconds = try c.decodeIfPresent(Int.self, forKey: .conversionWindowSeconds) ?? 7 * 86_400
        segments = try c.decodeIfPresent([String].self, forKey: .segments) ?? []
        try validate()
    }

    public func validate() throws(ValidationError) {
        guard (1...100).contains(name.count) else { throw ValidationError(field: "name", reason: "must be 1 to 100 characters") }
        guard steps.count >= 2 else { throw ValidationError(field: "steps", reason: "needs at least two steps, it has \(steps.count)") }
        guard steps.count <= Self.maxSteps else { throw ValidationError(field: "steps", reason: "has \(steps.count) steps, at most \(Self.maxSteps)") }
        for (index, step) in steps.enumerated() {
            guard (1...100).contains(step.event.count) else { throw ValidationError(field: "steps[\(index)].event", reason: "must be 1 to 100 characters") }
            guard step.filter.count <= 10, step.filter.allSatisfy({ (1...100).contains($0.key.count) && $0.value.count <= 200 }) else {
                throw ValidationError(field: "steps[\(index)].where", reason: "at most 10 properties, names of 1 to 100 characters")
            }
            guard (step.label?.count ?? 1) <= 100 else { throw ValidationError(field: "steps[\(index)].label", reason: "must be at most 100 characters") }
        }
        guard (60...(90 * 86_400)).contains(conversionWindowSeconds) else {
            throw ValidationError(field: "conversion_window_seconds", reason: "must be 60 to 7776000 (90 days)")
        }
        guard segments.count <= Self.maxSegments, Set(segments).count == segments.count, segments.allSatisfy({ (1...100).contains($0.count) }) else {
            throw ValidationError(field: "segments", reason: "at most \(Self.maxSegments) distinct property names of 1 to 100 characters")
        }
    }
}

/// One step: an event name, and property values the event must carry.
public struct FunnelStep: Sendable, Hashable, Codable {
    public var event: String
    public var filter: [String: String]
    public var label: String?

    enum CodingKeys: String, CodingKey { case event, filter = "where", label }

    public init(event: String, filter: [String: String] = [:], label: String? = nil) {
        self.event = event
        self.filter = filter
        self.label = label
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        event = try c.decodeIfPresent(String.self, forKey: .event) ?? ""
        filter = try c.decodeIfPresent([String: String].self, forKey: .filter) ?? [:]
        label = try c.decodeIfPresent(String.self, forKey: .label)
    }

    /// Whether an event of `name` with these properties (as text) is this step.
    public func matches(name: String, properties: [String: String]) -> Bool {
        name == event && filter.allSatisfy { properties[$0.key] == $0.value }
    }

    public var title: String { label ?? event }
}
