public import SentryProtocol

/// The tag pairs an event adds to its issue's tag counts: its own tags plus environment,
/// release, level and user, so all of them are searchable and shown with their distribution.
public enum IssueTagging {
    /// Tag keys every event may carry, searchable before any event has them: `user` (the
    /// user's id, else email, username or IP) and each user field on its own.
    public static let builtInKeys: Set<String> = ["environment", "release", "level", "user", "user.id", "user.email", "user.username", "user.ip"]

    /// The user's fields as tags (`user.id`, `user.email`, `user.username`, `user.ip`), so a
    /// search by any of them finds the issue.
    public static func userTags(_ user: JSONValue?) -> [(key: String, value: String)] {
        guard let user else { return [] }
        var result: [(key: String, value: String)] = []
        if let id = user["id"]?.scalarText { result.append((key: "user.id", value: id)) }
        if let email = user["email"]?.stringValue { result.append((key: "user.email", value: email)) }
        if let username = user["username"]?.stringValue { result.append((key: "user.username", value: username)) }
        if let ip = user["ip_address"]?.stringValue { result.append((key: "user.ip", value: ip)) }
        return result.filter { !$0.value.isEmpty && $0.value.count <= 200 }
    }

    public static func pairs(tags: [String: String], environment: String?, release: String?, level: String, userKey: String?) -> [(key: String, value: String)] {
        var result = tags.map { (key: $0.key, value: $0.value) }
        if let environment, tags["environment"] == nil { result.append((key: "environment", value: environment)) }
        if let release, tags["release"] == nil { result.append((key: "release", value: release)) }
        if tags["level"] == nil { result.append((key: "level", value: level)) }
        if let userKey, tags["user"] == nil { result.append((key: "user", value: userKey)) }
        return result
    }

    /// Tags as the events table stores them: `key=value` lines, sorted by key.
    public static func encode(_ tags: [String: String]) -> String {
        tags.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n")
    }

    /// The inverse of ``encode(_:)`` (a value may contain `=`; keys cannot).
    public static func decode(_ text: String) -> [String: String] {
        var tags: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            tags[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        return tags
    }
}

/// Tag pair counts with first and last time seen (milliseconds), per issue: what `issue_tags`
/// holds, summed by the ingest writer per batch and rebuilt from events after an unmerge.
public struct TagTally: Sendable {
    public struct Key: Hashable, Sendable, Comparable {
        public var issue: Int64
        public var key: String
        public var value: String

        public static func < (a: Key, b: Key) -> Bool { (a.issue, a.key, a.value) < (b.issue, b.key, b.value) }
    }

    public struct Count: Sendable {
        public var n: Int64
        public var first: Int64
        public var last: Int64
    }

    public private(set) var counts: [Key: Count] = [:]

    public init() {}

    /// Counts one event's tag pairs for its issue.
    public mutating func add(issue: Int64, at time: Int64, pairs: [(key: String, value: String)]) {
        for pair in pairs {
            let key = Key(issue: issue, key: pair.key, value: pair.value)
            let old = counts[key] ?? Count(n: 0, first: time, last: time)
            counts[key] = Count(n: old.n + 1, first: min(old.first, time), last: max(old.last, time))
        }
    }
}
