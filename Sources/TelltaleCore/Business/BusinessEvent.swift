public import Foundation
public import SentryProtocol

/// Something that happened in the business (a signup, a booking, a payment), sent by an
/// application: `{"id", "name", "user_id", "session_id", "properties", "value", "timestamp"}`.
/// The user id arrives hashed (the caller hashes it before it gets here).
public struct BusinessEvent: Sendable, Hashable {
    /// Makes a retry harmless: a second event with the same id in a project is dropped.
    public var id: String?
    public var name: String
    public var userHash: String?
    public var sessionID: String?
    /// A JSON object, as sent.
    public var properties: JSONValue
    /// Money the event brought (a payment), in the organization's currency.
    public var value: Double?
    /// Seconds since 1970.
    public var timestamp: Double

    public init(id: String? = nil, name: String, userHash: String? = nil, sessionID: String? = nil, properties: JSONValue = .object([:]),
                value: Double? = nil, timestamp: Double) {
        self.id = id
        self.name = name
        self.userHash = userHash
        self.sessionID = sessionID
        self.properties = properties
        self.value = value
        self.timestamp = timestamp
    }

    /// Whether the event reports a failed operation (a workflow counts it as a failed attempt):
    /// `"success": false`, or `"outcome"` or `"status"` of `failed`, `failure` or `error`.
    public var failed: Bool {
        if properties["success"] == .bool(false) { return true }
        let word = (properties["outcome"]?.stringValue ?? properties["status"]?.stringValue)?.lowercased()
        return word.map { ["failed", "failure", "error"].contains($0) } ?? false
    }

    /// At most this many events in one request.
    public static let maxBatch = 1_000
    /// A property bag's size when written back, at most.
    public static let maxPropertyBytes = 16_384

    /// Why a batch was refused: a field that does not make sense, or a property bag too large.
    public enum Problem: Error, Sendable, Equatable {
        case invalid(ValidationError)
        case tooLarge(String)
    }

    /// One event (an object) or many (`[...]` or `{"events": [...]}`), checked; timestamps
    /// default to `now` and may be at most a day ahead or 30 days back.
    public static func parse(_ body: JSONValue, now: Date, hashUser: (String) -> String) throws(Problem) -> [BusinessEvent] {
        let items: [JSONValue]
        if let list = body.arrayValue { items = list } else if let list = body["events"]?.arrayValue { items = list } else { items = [body] }
        guard !items.isEmpty else { throw .invalid(ValidationError(field: "events", reason: "is empty")) }
        guard items.count <= maxBatch else { throw .invalid(ValidationError(field: "events", reason: "has \(items.count) events, at most \(maxBatch) per request")) }
        var events: [BusinessEvent] = []
        for (index, item) in items.enumerated() {
            func invalid(_ field: String, _ reason: String) -> Problem { .invalid(ValidationError(field: "events[\(index)].\(field)", reason: reason)) }
            guard item.objectValue != nil else { throw .invalid(ValidationError(field: "events[\(index)]", reason: "must be an object")) }
            guard let name = item["name"]?.stringValue, (1...100).contains(name.count) else { throw invalid("name", "must be 1 to 100 characters") }
            let properties = item["properties"] ?? .object([:])
            guard properties.objectValue != nil else { throw invalid("properties", "must be an object") }
            let size = properties.serialized().count
            guard size <= maxPropertyBytes else { throw .tooLarge("events[\(index)].properties is \(size) bytes, more than \(maxPropertyBytes)") }
            var value: Double?
            if let raw = item["value"], raw != .null {
                guard let number = raw.doubleValue, number.isFinite, abs(number) < 1e12 else { throw invalid("value", "must be a number") }
                value = number
            }
            var timestamp = now.timeIntervalSince1970
            if let raw = item["timestamp"], raw != .null {
                guard let seconds = Timestamps.seconds(raw) else { throw invalid("timestamp", "must be unix seconds or an RFC 3339 time") }
                guard seconds <= timestamp + 86_400, seconds >= timestamp - 30 * 86_400 else { throw invalid("timestamp", "must be within the last 30 days") }
                timestamp = seconds
            }
            let id = item["id"]?.scalarText
            guard id.map({ (1...100).contains($0.count) }) ?? true else { throw invalid("id", "must be 1 to 100 characters") }
            let user = item["user_id"]?.scalarText.flatMap { $0.isEmpty ? nil : $0 }
            let session = item["session_id"]?.scalarText.map { String($0.prefix(100)) }
            events.append(BusinessEvent(id: id, name: name, userHash: user.map(hashUser), sessionID: session, properties: properties,
                                        value: value, timestamp: timestamp))
        }
        return events
    }
}

/// Weeks start on Mondays, 00:00 UTC (1970-01-05 was a Monday).
public enum BusinessWeek {
    public static let length: Int64 = 7 * 86_400_000
    static let firstMonday: Int64 = 4 * 86_400_000

    /// The start of the week holding `milliseconds` (since 1970).
    public static func start(_ milliseconds: Int64) -> Int64 {
        (milliseconds - firstMonday) / length * length + firstMonday
    }
}

/// Who stopped coming back: users active in a week whose events in the next week fell by more
/// than `dropPercent` (or to none), against that first week's users.
public struct ChurnSignal: Sendable, Hashable, Codable {
    public var previousWeekUsers: Int
    public var droppedUsers: Int
    public var dropPercent: Double
    public var rate: Double?

    enum CodingKeys: String, CodingKey {
        case previousWeekUsers = "previous_week_users", droppedUsers = "dropped_users", dropPercent = "drop_percent", rate
    }

    public init(previousWeekUsers: Int, droppedUsers: Int, dropPercent: Double) {
        self.previousWeekUsers = previousWeekUsers
        self.droppedUsers = droppedUsers
        self.dropPercent = dropPercent
        rate = previousWeekUsers > 0 ? Double(droppedUsers) / Double(previousWeekUsers) : nil
    }

    /// `previous` and `latest`: events per user in two consecutive weeks.
    public static func compute(previous: [String: Int64], latest: [String: Int64], dropPercent: Double = 50) -> ChurnSignal {
        let dropped = previous.filter { user, before in
            Double(latest[user] ?? 0) < Double(before) * (1 - dropPercent / 100)
        }.count
        return ChurnSignal(previousWeekUsers: previous.count, droppedUsers: dropped, dropPercent: dropPercent)
    }
}
