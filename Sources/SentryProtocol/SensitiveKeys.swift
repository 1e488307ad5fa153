/// Key fragments whose values are filtered wherever data is scrubbed (case-insensitive
/// "contains"): the server's scrubber and the Swift client use the same list.
public enum SensitiveKeys {
    public static let defaults = [
        "password", "passwd", "secret", "api_key", "api-key", "apikey", "token", "auth", "credentials",
        "cookie", "session", "mysql_pwd", "privatekey", "private_key", "private-key", "csrf", "xsrf",
    ]
    static let defaultFragments = defaults.map { Array($0.utf8) }

    /// Fragments ready for `isSensitive`: lower-cased UTF-8.
    public static func fragments(_ keys: [String]) -> [[UInt8]] { keys.map { Array($0.lowercased().utf8) } }

    /// Whether a key holds something to filter: a byte search, since keys are short and this
    /// runs for every key of every event a client captures.
    public static func isSensitive(_ key: String, extra: [[UInt8]] = []) -> Bool {
        var key = key
        return key.withUTF8 { text in
            defaultFragments.contains { occurs($0, in: text) } || extra.contains { occurs($0, in: text) }
        }
    }

    /// Whether `fragment` (lower case) occurs in `text`, ASCII letters compared without case.
    static func occurs(_ fragment: [UInt8], in text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !fragment.isEmpty, fragment.count <= text.count else { return false }
        for start in 0...(text.count - fragment.count) {
            var i = 0
            while i < fragment.count {
                var c = text[start + i]
                if c >= 65, c <= 90 { c += 32 }
                if c != fragment[i] { break }
                i += 1
            }
            if i == fragment.count { return true }
        }
        return false
    }
}
