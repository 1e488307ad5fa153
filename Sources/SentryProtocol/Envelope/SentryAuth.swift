/// The `X-Sentry-Auth` / `Authorization: Sentry …` header or query parameters (§1.3).
public struct SentryAuth: Sendable, Equatable {
    /// The client key's public part.
    public var publicKey: String
    /// Protocol version, informational.
    public var version: String?
    /// SDK name/version, informational.
    public var client: String?

    /// Creates an auth value.
    public init(publicKey: String, version: String? = nil, client: String? = nil) {
        self.publicKey = publicKey
        self.version = version
        self.client = client
    }

    /// Parses `Sentry sentry_key=…, sentry_version=7, sentry_client=…` tolerantly:
    /// any case for `Sentry`, whitespace anywhere, names with or without `sentry_`.
    public static func parse(header: String) -> SentryAuth? {
        var text = Substring(header).drop(while: \.isWhitespace)
        let scheme = text.prefix(7).lowercased()
        if scheme == "sentry " || scheme == "sentry\t" {
            text = text.dropFirst(7)
        } else if scheme.hasPrefix("basic ") {
            return nil
        }
        var pairs: [String: String] = [:]
        for piece in text.split(separator: ",") {
            let parts = piece.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            var name = parts[0].trimmingWhitespace()
            if name.utf8.contains(where: { $0 >= 65 && $0 <= 90 }) { name = name.lowercased() }
            if name.hasPrefix("sentry_") { name.removeFirst(7) }
            pairs[name] = parts[1].trimmingWhitespace()
        }
        return from(pairs)
    }

    /// Reads `sentry_key`, `sentry_version`, `sentry_client` from query parameters.
    public static func parse(query: [String: String]) -> SentryAuth? {
        var pairs: [String: String] = [:]
        for (name, value) in query where name.hasPrefix("sentry_") {
            pairs[String(name.dropFirst(7))] = value
        }
        return from(pairs)
    }

    private static func from(_ pairs: [String: String]) -> SentryAuth? {
        guard let key = pairs["key"], !key.isEmpty else { return nil }
        return SentryAuth(publicKey: key, version: pairs["version"], client: pairs["client"])
    }
}

extension Substring {
    func trimmingWhitespace() -> String {
        var start = startIndex
        var end = endIndex
        while start < end, self[start].isWhitespace { start = index(after: start) }
        while end > start, self[index(before: end)].isWhitespace { end = index(before: end) }
        return String(self[start..<end])
    }
}
