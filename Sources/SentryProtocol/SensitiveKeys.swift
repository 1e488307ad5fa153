/// Key fragments whose values are filtered wherever data is scrubbed (case-insensitive
/// "contains"): the server's scrubber and the Swift client use the same list.
public enum SensitiveKeys {
    public static let defaults = [
        "password", "passwd", "secret", "api_key", "api-key", "apikey", "token", "auth", "credentials",
        "cookie", "session", "mysql_pwd", "privatekey", "private_key", "private-key", "csrf", "xsrf",
    ]

    /// Whether a key holds something to filter.
    public static func isSensitive(_ key: String, extra: [String] = []) -> Bool {
        let lowered = key.lowercased()
        return defaults.contains { lowered.contains($0) } || extra.contains { lowered.contains($0.lowercased()) }
    }
}
