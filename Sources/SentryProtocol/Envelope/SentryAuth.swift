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
        // Over the header's own bytes, without copies: this runs on every ingest request.
        var header = header
        return header.withUTF8 { bytes -> SentryAuth? in
            var start = 0
            while start < bytes.count, bytes[start] == 32 || bytes[start] == 9 { start += 1 }
            if startsCaseInsensitive(bytes, at: start, with: "sentry"), start + 6 < bytes.count, bytes[start + 6] == 32 || bytes[start + 6] == 9 {
                start += 7
            } else if startsCaseInsensitive(bytes, at: start, with: "basic ") {
                return nil
            }
            var key: String?, version: String?, client: String?
            var pieceStart = start
            while pieceStart <= bytes.count {
                var pieceEnd = pieceStart
                while pieceEnd < bytes.count, bytes[pieceEnd] != UInt8(ascii: ",") { pieceEnd += 1 }
                var equals = pieceStart
                while equals < pieceEnd, bytes[equals] != UInt8(ascii: "=") { equals += 1 }
                if equals < pieceEnd {
                    var name = trimmed(bytes, pieceStart..<equals)
                    if name.count >= 7, startsCaseInsensitive(bytes, at: name.lowerBound, with: "sentry_") { name = name.dropFirst(7) }
                    let value = trimmed(bytes, (equals + 1)..<pieceEnd)
                    func text() -> String { String(decoding: UnsafeBufferPointer(rebasing: bytes[value]), as: UTF8.self) }
                    if equalsCaseInsensitive(bytes, name, "key") {
                        key = text()
                    } else if equalsCaseInsensitive(bytes, name, "version") {
                        version = text()
                    } else if equalsCaseInsensitive(bytes, name, "client") {
                        client = text()
                    }
                }
                pieceStart = pieceEnd + 1
            }
            return make(key: key, version: version, client: client)
        }
    }

    /// Whether `bytes` at `index` start with the lower-case ASCII `word`, in any case.
    private static func startsCaseInsensitive(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int, with word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for offset in 0..<count {
            let byte = bytes[index + offset]
            guard (byte >= 65 && byte <= 90 ? byte + 32 : byte) == word.utf8Start[offset] else { return false }
        }
        return true
    }

    private static func equalsCaseInsensitive(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ word: StaticString) -> Bool {
        range.count == word.utf8CodeUnitCount && startsCaseInsensitive(bytes, at: range.lowerBound, with: word)
    }

    private static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int> {
        func isSpace(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 || byte == 10 || byte == 13 }
        var (lower, upper) = (range.lowerBound, range.upperBound)
        while lower < upper, isSpace(bytes[lower]) { lower += 1 }
        while upper > lower, isSpace(bytes[upper - 1]) { upper -= 1 }
        return lower..<upper
    }

    /// Reads `sentry_key`, `sentry_version`, `sentry_client` from query parameters.
    public static func parse(query: [String: String]) -> SentryAuth? {
        make(key: query["sentry_key"], version: query["sentry_version"], client: query["sentry_client"])
    }

    /// The credentials, when there is a non-empty key (header and query alike).
    private static func make(key: String?, version: String?, client: String?) -> SentryAuth? {
        guard let key, !key.isEmpty else { return nil }
        return SentryAuth(publicKey: key, version: version, client: client)
    }
}

