import Foundation
public import SentryProtocol
import Synchronization

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

    let policy: ScrubbingPolicy
    let keyedHash: @Sendable (String) -> String
    let sensitive: [String]
    let safe: Set<String>

    /// Creates a scrubber; `keyedHash` pseudonymizes IPs and user ids when the policy asks.
    public init(policy: ScrubbingPolicy, keyedHash: @escaping @Sendable (String) -> String) {
        self.policy = policy
        self.keyedHash = keyedHash
        self.sensitive = Self.defaultSensitiveKeys + policy.sensitiveFields.map { $0.lowercased() }
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

    private func applyIPPolicy(_ object: inout [String: JSONValue], key: String) {
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
        let lowered = key.lowercased()
        if safe.contains(lowered) { return false }
        return sensitive.contains { lowered.contains($0) }
    }

    private func scrubValue(_ value: JSONValue, path: String) -> JSONValue {
        switch value {
        case .string(let text):
            return .string(Self.scrubString(text))
        case .array(let values):
            // Pairs lists (headers as [["Authorization", "…"]]) are filtered by their first element.
            return .array(values.map { element in
                if case .array(let pair) = element, pair.count == 2, let name = pair[0].stringValue, isSensitive(name) {
                    return .array([pair[0], .string(Self.filtered)])
                }
                return scrubValue(element, path: path)
            })
        case .object(let members):
            var result = members
            for (key, member) in members {
                if Self.neverFiltered(path: path, key: key) { continue }
                if isSensitive(key), !member.isNull {
                    result[key] = .string(Self.filtered)
                } else {
                    result[key] = scrubValue(member, path: key)
                }
            }
            return .object(result)
        default:
            return value
        }
    }

    /// Frame locations and exception types stay readable: they are code, not data.
    static func neverFiltered(path: String, key: String) -> Bool {
        ["filename", "abs_path", "module", "function", "type", "lineno", "colno", "in_app", "context_line"].contains(key) && path != "request"
    }

    // MARK: Patterns inside strings

    private static let inlineSecrets = Mutex<Regex<AnyRegexOutput>>(try! Regex(
        #"(?i)(?<bearer>\bbearer\s+)[A-Za-z0-9\-._~+/]+=*|(?<pair>\b(?:password|passwd|pwd|secret|token|access_token|api_key|apikey|api-key|auth)\s*[=:]\s*)(?:"[^"]*"|'[^']*'|[^\s&,;"']+)|(?<url>://[^/\s:@]+:)[^/\s@]+@|-----BEGIN[A-Z ]*PRIVATE KEY-----[\s\S]*?-----END[A-Z ]*PRIVATE KEY-----"#
    ))

    /// Replaces secrets and card numbers inside free text.
    public static func scrubString(_ text: String) -> String {
        var result = text
        let lowered = text.lowercased()
        if lowered.contains("bearer") || lowered.contains("=") || lowered.contains(":") || lowered.contains("private key") {
            result = inlineSecrets.withLock { regex in
                result.replacing(regex) { match -> String in
                    if let prefix = match.output["bearer"]?.substring { return String(prefix) + filtered }
                    if let prefix = match.output["pair"]?.substring { return String(prefix) + filtered }
                    if let prefix = match.output["url"]?.substring { return String(prefix) + filtered + "@" }
                    return filtered
                }
            }
        }
        return replacingCardNumbers(result)
    }

    /// Finds runs of 13–19 digits (single spaces or dashes allowed between) that pass the
    /// Luhn check, and replaces them with `[creditcard]`.
    static func replacingCardNumbers(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var digitsSeen = 0
        for scalar in scalars where scalar.properties.numericType != nil && ("0"..."9").contains(scalar) {
            digitsSeen += 1
        }
        guard digitsSeen >= 13 else { return text }
        var output = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            let isBoundary = index == 0 || !(("0"..."9").contains(scalars[index - 1]) || scalars[index - 1].properties.isAlphabetic)
            if isBoundary, ("0"..."9").contains(scalars[index]) {
                var digits: [Int] = []
                var end = index
                var last = index
                while end < scalars.count {
                    let scalar = scalars[end]
                    if ("0"..."9").contains(scalar) {
                        digits.append(Int(scalar.value - 48))
                        last = end
                        end += 1
                    } else if (scalar == " " || scalar == "-"), end + 1 < scalars.count, ("0"..."9").contains(scalars[end + 1]), digits.count < 19 {
                        end += 1
                    } else {
                        break
                    }
                }
                let followedByWord = last + 1 < scalars.count && scalars[last + 1].properties.isAlphabetic
                if (13...19).contains(digits.count), !followedByWord, luhn(digits) {
                    output.append(contentsOf: "[creditcard]".unicodeScalars)
                    index = last + 1
                    continue
                }
                output.append(contentsOf: scalars[index...last])
                index = last + 1
                continue
            }
            output.append(scalars[index])
            index += 1
        }
        return String(output)
    }

    static func luhn(_ digits: [Int]) -> Bool {
        var sum = 0
        for (offset, digit) in digits.reversed().enumerated() {
            if offset % 2 == 1 {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += digit
            }
        }
        return sum % 10 == 0
    }
}
