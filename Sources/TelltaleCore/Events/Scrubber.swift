import Foundation
public import SentryProtocol

/// Removes secrets and personal data from a normalized event per a ``ScrubbingPolicy`` (§13):
/// values under sensitive keys become `[Filtered]`; bearer tokens, `password=…`-style pairs,
/// URL passwords, private keys and card numbers inside any string are replaced in place.
public struct Scrubber: Sendable {
    /// The replacement for filtered values.
    public static let filtered = "[Filtered]"

    /// Key fragments whose values are always filtered (case-insensitive "contains").
    public static let defaultSensitiveKeys = [
        "password", "passwd", "secret", "api_key", "api-key", "apikey", "token", "auth", "credentials",
        "cookie", "session", "mysql_pwd", "privatekey", "private_key", "private-key", "csrf", "xsrf",
    ]

    /// The defaults as bytes, made once (a scrubber is built per request).
    static let defaultSensitiveBytes = defaultSensitiveKeys.map { Array($0.utf8) }

    let policy: ScrubbingPolicy
    let keyedHash: @Sendable (String) -> String
    let sensitiveBytes: [[UInt8]]
    let safe: Set<String>

    /// Creates a scrubber; `keyedHash` pseudonymizes IPs and user ids when the policy asks.
    public init(policy: ScrubbingPolicy, keyedHash: @escaping @Sendable (String) -> String) {
        self.policy = policy
        self.keyedHash = keyedHash
        self.sensitiveBytes = Self.defaultSensitiveBytes + policy.sensitiveFields.map { Array($0.lowercased().utf8) }
        self.safe = Set(policy.safeFields.map { $0.lowercased() })
    }

    /// The scrubbed event.
    public func scrub(_ event: JSONValue) -> JSONValue {
        guard case .object(var members) = event else { return event }
        if case .object(var user)? = members["user"] {
            applyIPPolicy(&user, key: "ip_address")
            if policy.hashUserIDs, let id = user["id"]?.scalarText { user["id"] = .string(keyedHash("user:" + id)) }
            members["user"] = .object(user)
        }
        if case .object(var request)? = members["request"], case .object(var env)? = request["env"] {
            applyIPPolicy(&env, key: "REMOTE_ADDR")
            request["env"] = .object(env)
            members["request"] = .object(request)
        }
        guard policy.enabled else { return .object(members) }
        for (key, value) in members {
            switch key {
            case "sdk", "debug_meta", "event_id", "timestamp", "start_timestamp", "fingerprint", "type", "level", "platform": continue
            case "user": members[key] = scrubUser(value)
            default: members[key] = scrubValue(value, path: key)
            }
        }
        return .object(members)
    }

    private func applyIPPolicy(_ object: inout JSONObject, key: String) {
        guard let ip = object[key]?.stringValue else { return }
        switch policy.ipAddresses {
        case .keep: break
        case .hash: object[key] = .string(keyedHash("ip:" + ip))
        case .remove: object[key] = nil
        }
    }

    /// User interface: identifying fields stay (they are the point), others are scrubbed.
    private func scrubUser(_ value: JSONValue) -> JSONValue {
        guard case .object(var user) = value else { return value }
        for (key, field) in user where !["id", "email", "username", "ip_address", "name", "geo", "segment"].contains(key) {
            user[key] = isSensitive(key) ? .string(Self.filtered) : scrubValue(field, path: "user." + key)
        }
        return .object(user)
    }

    func isSensitive(_ key: String) -> Bool {
        // Byte-wise ASCII matching without copying: this runs for every key of every event.
        if !safe.isEmpty, safe.contains(key.lowercased()) { return false }
        var key = key
        return key.withUTF8 { bytes in sensitiveBytes.contains { ASCII.containsIgnoringCase(bytes, $0) } }
    }

    private func scrubValue(_ value: JSONValue, path: String) -> JSONValue {
        scrubbed(value, path: path) ?? value
    }

    /// The scrubbed value, or `nil` when nothing changed (so unchanged objects are not copied).
    private func scrubbed(_ value: JSONValue, path: String) -> JSONValue? {
        switch value {
        case .string(let text):
            let result = Self.scrubString(text)
            return result == text ? nil : .string(result)
        case .array(var values):
            var changed = false
            for index in values.indices {
                let element = values[index]
                // Pairs lists (headers as [["Authorization", "…"]]) are filtered by their first element.
                if case .array(let pair) = element, pair.count == 2, let name = pair[0].stringValue, isSensitive(name) {
                    if pair[1] != .string(Self.filtered) {
                        values[index] = .array([pair[0], .string(Self.filtered)])
                        changed = true
                    }
                } else if let replacement = scrubbed(element, path: path) {
                    values[index] = replacement
                    changed = true
                }
            }
            return changed ? .array(values) : nil
        case .object(let members):
            var result: JSONObject?
            for (key, member) in members {
                if Self.neverFiltered(path: path, key: key) { continue }
                let replacement: JSONValue?
                if isSensitive(key), !member.isNull {
                    replacement = member == .string(Self.filtered) ? nil : .string(Self.filtered)
                } else {
                    replacement = scrubbed(member, path: key)
                }
                if let replacement {
                    if result == nil { result = members }
                    result![key] = replacement
                }
            }
            return result.map(JSONValue.object)
        default:
            return nil
        }
    }

    /// Frame locations and exception types stay readable: they are code, not data.
    static func neverFiltered(path: String, key: String) -> Bool {
        codeKeys.contains(key) && path != "request"
    }

    private static let codeKeys: Set<String> = ["filename", "abs_path", "module", "function", "type", "lineno", "colno", "in_app", "context_line"]

    // MARK: Patterns inside strings

    /// Replaces secrets and card numbers inside free text.
    public static func scrubString(_ text: String) -> String {
        var text = text
        // Scans the string's own storage; allocates only when something is replaced.
        let replaced: [UInt8]? = text.withUTF8 { bytes in
            var scanner = SecretScanner(bytes)
            return scanner.run() ? scanner.output : nil
        }
        return replaced.map { String(decoding: $0, as: UTF8.self) } ?? text
    }
}
