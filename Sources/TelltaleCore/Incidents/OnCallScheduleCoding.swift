import Foundation

/// The schedule as the API and the database hold it:
/// `{"name", "timezone", "layers": [{"name", "users": [ids], "start", "rotation": "daily"|"weekly"|"custom",
/// "rotation_seconds", "restrictions": [calendar windows]}], "overrides": [{"user", "start", "end"}]}`.
extension OnCallScheduleDraft: Codable {
    enum CodingKeys: String, CodingKey { case name, timezone, layers, overrides }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(name: try c.decodeIfPresent(String.self, forKey: .name) ?? "",
                      timeZone: try TimeZone.named(try c.decodeIfPresent(String.self, forKey: .timezone) ?? "UTC"),
                      layers: try c.decodeIfPresent([RotationLayer].self, forKey: .layers) ?? [],
                      overrides: try c.decodeIfPresent([OnCallOverride].self, forKey: .overrides) ?? [])
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(timeZone.identifier, forKey: .timezone)
        try c.encode(layers, forKey: .layers)
        try c.encode(overrides, forKey: .overrides)
    }
}

extension RotationLayer: Codable {
    enum CodingKeys: String, CodingKey { case name, users, start, rotation, rotationSeconds = "rotation_seconds", restrictions }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let users = try c.decodeIfPresent([Int64].self, forKey: .users) ?? []
        guard let start = try? c.decode(Date.self, forKey: .start) else {
            throw ValidationError(field: "layers.start", reason: "must be a date and time (ISO 8601), the first hand-off")
        }
        let length: Length
        switch try c.decodeIfPresent(String.self, forKey: .rotation) ?? "weekly" {
        case "daily": length = .daily
        case "weekly": length = .weekly
        case "custom": length = .custom(seconds: try c.decodeIfPresent(Int.self, forKey: .rotationSeconds) ?? 0)
        default: throw ValidationError(field: "layers.rotation", reason: "must be daily, weekly or custom")
        }
        try self.init(name: try c.decodeIfPresent(String.self, forKey: .name) ?? "", users: users.map(UserID.init), start: start, length: length,
                      restrictions: try c.decodeIfPresent([CalendarWindow].self, forKey: .restrictions) ?? [])
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(users.map(\.rawValue), forKey: .users)
        try c.encode(start, forKey: .start)
        switch length {
        case .daily: try c.encode("daily", forKey: .rotation)
        case .weekly: try c.encode("weekly", forKey: .rotation)
        case .custom(let seconds):
            try c.encode("custom", forKey: .rotation)
            try c.encode(seconds, forKey: .rotationSeconds)
        }
        try c.encode(restrictions, forKey: .restrictions)
    }
}

extension OnCallOverride: Codable {
    enum CodingKeys: String, CodingKey { case user, start, end }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard let user = try? c.decode(Int64.self, forKey: .user) else { throw ValidationError(field: "overrides.user", reason: "must be a user id") }
        guard let start = try? c.decode(Date.self, forKey: .start), let end = try? c.decode(Date.self, forKey: .end) else {
            throw ValidationError(field: "overrides", reason: "need start and end dates (ISO 8601)")
        }
        self.init(userID: UserID(user), start: start, end: end)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(userID.rawValue, forKey: .user)
        try c.encode(start, forKey: .start)
        try c.encode(end, forKey: .end)
    }
}
