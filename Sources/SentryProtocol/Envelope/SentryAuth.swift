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
        // Byte-wise: this runs on every ingest request.
        var bytes = Array(header.utf8)[...]
        while let first = bytes.first, first == 32 || first == 9 { bytes = bytes.dropFirst() }
        if bytes.count >= 7, bytes.prefix(6).map({ $0 | 0x20 }) == Array("sentry".utf8), bytes[bytes.startIndex + 6] == 32 || bytes[bytes.startIndex + 6] == 9 {
            bytes = bytes.dropFirst(7)
        } else if bytes.count >= 6, bytes.prefix(6).map({ $0 | 0x20 }) == Array("basic ".utf8) {
            return nil
        }
        var pairs: [String: String] = [:]
        for piece in bytes.split(separator: UInt8(ascii: ",")) {
            guard let equals = piece.firstIndex(of: UInt8(ascii: "=")) else { continue }
            var name = trimmed(piece[..<equals]).map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }[...]
            if name.starts(with: Array("sentry_".utf8)) { name = name.dropFirst(7) }
            pairs[String(decoding: name, as: UTF8.self)] = String(decoding: trimmed(piece[piece.index(after: equals)...]), as: UTF8.self)
        }
        return from(pairs)
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, first == 32 || first == 9 || first == 10 || first == 13 { slice = slice.dropFirst() }
        while let last = slice.last, last == 32 || last == 9 || last == 10 || last == 13 { slice = slice.dropLast() }
        return slice
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

