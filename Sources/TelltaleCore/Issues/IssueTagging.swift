/// The tag pairs an event adds to its issue's tag counts: its own tags plus environment,
/// release, level and user, so all of them are searchable and shown with their distribution.
public enum IssueTagging {
    /// Search keys that name the user tag (it holds the user's id, else email, username or IP).
    public static let userKeys: Set<String> = ["user", "user.id", "user.email", "user.username", "user.ip"]

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
