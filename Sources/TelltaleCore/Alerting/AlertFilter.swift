/// Narrows which signals a rule looks at; every filter of a rule must pass.
public enum AlertFilter: Sendable, Hashable {
    case project([ProjectID])
    case environment([String])
    case release([String])
    case tag(key: String, value: String)
    case category([String])
    case businessImpact([String])
    case monitor([MonitorID])
    case component([String])
    case level(atLeast: EventLevel)

    public static let typeNames = ["project", "environment", "release", "tag", "category", "business_impact", "monitor", "component", "level"]

    /// Whether `signal` passes. A filter about events lets monitor signals through only when
    /// it can say something about them (a project filter checks a monitor's project).
    public func passes(_ signal: AlertSignal) -> Bool {
        // Switched on the signal's kind first and read in place (see `AlertCondition.holds`).
        switch signal {
        case .event(let event):
            switch self {
            case .project(let ids): return ids.contains(event.projectID)
            case .environment(let values): return event.environment.map(values.contains) ?? false
            case .release(let values): return event.release.map(values.contains) ?? false
            case .tag(let key, let value): return event.tags[key] == value
            case .category(let values): return event.category.map(values.contains) ?? false
            case .businessImpact(let values): return event.businessImpact.map(values.contains) ?? false
            case .level(let atLeast): return event.level >= atLeast
            // Monitor filters say nothing about events: they do not match.
            case .monitor, .component: return false
            }
        case .issueResolved(let resolved):
            if case .project(let ids) = self { return ids.contains(resolved.projectID) }
            return false
        case .detection(let detection):
            if case .project(let ids) = self { return detection.projectID.map(ids.contains) ?? false }
            return false
        case .monitor(let change):
            switch self {
            case .project(let ids): return change.projectID.map(ids.contains) ?? false
            case .monitor(let ids): return ids.contains(change.monitorID)
            case .component(let values): return values.contains(change.component)
            // Event filters say nothing about monitors: they do not match.
            case .environment, .release, .tag, .category, .businessImpact, .level: return false
            }
        }
    }
}

extension AlertFilter: Codable {
    enum CodingKeys: String, CodingKey { case type, ids, values, key, value, atLeast = "at_least" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(String.self, forKey: .type)
        func strings(_ key: CodingKeys) throws -> [String] {
            let single = try? c.decodeIfPresent(String.self, forKey: .value)
            let values = (try? c.decodeIfPresent([String].self, forKey: key)) ?? single.map { [$0] } ?? []
            guard !values.isEmpty else { throw ValidationError(field: "filters", reason: "\(type) needs \(key.stringValue)") }
            return values
        }
        func ids(_ key: CodingKeys) throws -> [Int64] {
            try strings(key).map { text in
                guard let id = Int64(text) else { throw ValidationError(field: "filters", reason: "\(type) ids must be numbers, got '\(text)'") }
                return id
            }
        }
        switch type {
        case "project": self = .project(try ids(.ids).map(ProjectID.init))
        case "environment": self = .environment(try strings(.values))
        case "release": self = .release(try strings(.values))
        case "tag":
            guard let key = try c.decodeIfPresent(String.self, forKey: .key), !key.isEmpty, let value = try c.decodeIfPresent(String.self, forKey: .value) else {
                throw ValidationError(field: "filters", reason: "tag needs key and value")
            }
            self = .tag(key: key, value: value)
        case "category": self = .category(try strings(.values))
        case "business_impact": self = .businessImpact(try strings(.values))
        case "monitor": self = .monitor(try ids(.ids).map(MonitorID.init))
        case "component": self = .component(try strings(.values))
        case "level":
            guard let level = try c.decodeIfPresent(String.self, forKey: .atLeast).flatMap(EventLevel.init(rawValue:)) else {
                throw ValidationError(field: "filters", reason: "level needs at_least: debug, info, warning, error or fatal")
            }
            self = .level(atLeast: level)
        default:
            throw ValidationError(field: "filters", reason: "has an unknown type '\(type)'; known: \(Self.typeNames.joined(separator: ", "))")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .project(let ids): try c.encode("project", forKey: .type); try c.encode(ids.map(\.description), forKey: .ids)
        case .environment(let values): try c.encode("environment", forKey: .type); try c.encode(values, forKey: .values)
        case .release(let values): try c.encode("release", forKey: .type); try c.encode(values, forKey: .values)
        case .tag(let key, let value): try c.encode("tag", forKey: .type); try c.encode(key, forKey: .key); try c.encode(value, forKey: .value)
        case .category(let values): try c.encode("category", forKey: .type); try c.encode(values, forKey: .values)
        case .businessImpact(let values): try c.encode("business_impact", forKey: .type); try c.encode(values, forKey: .values)
        case .monitor(let ids): try c.encode("monitor", forKey: .type); try c.encode(ids.map(\.description), forKey: .ids)
        case .component(let values): try c.encode("component", forKey: .type); try c.encode(values, forKey: .values)
        case .level(let level): try c.encode("level", forKey: .type); try c.encode(level.rawValue, forKey: .atLeast)
        }
    }
}
