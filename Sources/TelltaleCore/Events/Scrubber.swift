import Foundation
public import SentryProtocol

/// Removes secrets and personal data from a normalized event per a ``ScrubbingPolicy`` (§13):
/// values under sensitive keys become `[Filtered]`; bearer tokens, `password=…`-style pairs,
/// URL passwords, private keys, well-known credential formats and card numbers inside any
/// string (source context lines included) are replaced in place, and, unless the project
/// turns it off, email addresses and phone numbers in free text.
public struct Scrubber: Sendable {
    /// The replacement for filtered values.
    public static let filtered = "[Filtered]"

    /// Key fragments whose values are always filtered (case-insensitive "contains").
    public static let defaultSensitiveKeys = SensitiveKeys.defaults

    /// The defaults' matcher, made once (a scrubber is built per request).
    static let defaultSensitive = FragmentMatcher(defaultSensitiveKeys.map { Array($0.utf8) })

    let policy: ScrubbingPolicy
    let keyedHash: @Sendable (String) -> String
    let sensitive: FragmentMatcher
    let safe: Set<String>

    /// Creates a scrubber; `keyedHash` pseudonymizes IPs and user ids when the policy asks.
    public init(policy: ScrubbingPolicy, keyedHash: @escaping @Sendable (String) -> String) {
        self.policy = policy
        self.keyedHash = keyedHash
        self.sensitive = policy.sensitiveFields.isEmpty
            ? Self.defaultSensitive
            : FragmentMatcher(Self.defaultSensitive.fragments + policy.sensitiveFields.map { Array($0.lowercased().utf8) })
        self.safe = Set(policy.safeFields.map { $0.lowercased() })
    }

    /// The scrubbed event.
    /// Every change is noted in the event's `_meta` (rule and original length).
    public func scrub(_ event: JSONValue) -> JSONValue {
        guard case .object(var members) = event else { return event }
        var notes = MetaNotes()
        if case .object(var user)? = members["user"] {
            applyIPPolicy(&user, key: "ip_address", path: [.key("user")], &notes)
            if policy.hashUserIDs, let id = user["id"]?.scalarText {
                user["id"] = .string(keyedHash("user:" + id))
                notes.pseudonymized([.key("user"), .key("id")], rule: "@userid:hash")
            }
            members["user"] = .object(user)
        }
        if case .object(var request)? = members["request"], case .object(var env)? = request["env"] {
            applyIPPolicy(&env, key: "REMOTE_ADDR", path: [.key("request"), .key("env")], &notes)
            request["env"] = .object(env)
            members["request"] = .object(request)
        }
        if policy.enabled {
            var trail: [MetaNotes.Step] = []
            for (key, value) in members {
                switch key {
                case "sdk", "debug_meta", "event_id", "timestamp", "start_timestamp", "fingerprint", "type", "level", "platform", "_meta": continue
                case "user": members[key] = scrubUser(value, &notes)
                default:
                    trail.append(.key(key))
                    if let replacement = scrubbed(value, path: key, trail: &trail, notes: &notes) { members[key] = replacement }
                    trail.removeLast()
                }
            }
        }
        notes.apply(to: &members)
        return .object(members)
    }

    private func applyIPPolicy(_ object: inout JSONObject, key: String, path: [MetaNotes.Step], _ notes: inout MetaNotes) {
        guard let ip = object[key]?.stringValue else { return }
        switch policy.ipAddresses {
        case .keep: break
        case .hash:
            object[key] = .string(keyedHash("ip:" + ip))
            notes.pseudonymized(path + [.key(key)], rule: "@ip:hash")
        case .remove:
            object[key] = nil
            notes.removed(path + [.key(key)], rule: "@ip:remove")
        }
    }

    /// User interface: identifying fields stay (they are the point), others are scrubbed.
    private func scrubUser(_ value: JSONValue, _ notes: inout MetaNotes) -> JSONValue {
        guard case .object(var user) = value else { return value }
        var trail: [MetaNotes.Step] = [.key("user")]
        if !policy.keepUserEmail, let email = user["email"]?.stringValue, email != "[email]" {
            user["email"] = .string("[email]")
            notes.filtered(trail + [.key("email")], rule: "@email:replace", originalLength: email.count)
        }
        for (key, field) in user where !["id", "email", "username", "ip_address", "name", "geo", "segment"].contains(key) {
            trail.append(.key(key))
            if isSensitive(key) {
                user[key] = filter(field, trail, &notes) ?? field
            } else if let replacement = scrubbed(field, path: "user." + key, trail: &trail, notes: &notes) {
                user[key] = replacement
            }
            trail.removeLast()
        }
        return .object(user)
    }

    /// `[Filtered]` for a value under a sensitive key, or `nil` when it already is (or is null).
    private func filter(_ value: JSONValue, _ trail: [MetaNotes.Step], _ notes: inout MetaNotes) -> JSONValue? {
        if value.isNull || value == .string(Self.filtered) { return nil }
        notes.filtered(trail, rule: "@password:filter", originalLength: value.stringValue?.count)
        return .string(Self.filtered)
    }

    func isSensitive(_ key: String) -> Bool {
        // Byte-wise ASCII matching without copying: this runs for every key of every event.
        if !safe.isEmpty, safe.contains(key.lowercased()) { return false }
        var key = key
        return key.withUTF8 { sensitive.matches($0) }
    }

    /// The scrubbed value, or `nil` when nothing changed (so unchanged objects are not copied).
    /// `trail` is the value's path in the event, for the `_meta` notes.
    private func scrubbed(_ value: JSONValue, path: String, trail: inout [MetaNotes.Step], notes: inout MetaNotes) -> JSONValue? {
        switch value {
        case .string(let text):
            let result = Self.scrubString(text, personalData: policy.personalData)
            guard result != text else { return nil }
            notes.filtered(trail, rule: "@sensitive:replace", originalLength: text.count)
            return .string(result)
        case .array(var values):
            var changed = false
            for index in values.indices {
                let element = values[index]
                trail.append(.index(index))
                defer { trail.removeLast() }
                // Pairs lists (headers as [["Authorization", "…"]]) are filtered by their first element.
                if case .array(let pair) = element, pair.count == 2, let name = pair[0].stringValue, isSensitive(name) {
                    trail.append(.index(1))
                    if let replacement = filter(pair[1], trail, &notes) {
                        values[index] = .array([pair[0], replacement])
                        changed = true
                    }
                    trail.removeLast()
                } else if let replacement = scrubbed(element, path: path, trail: &trail, notes: &notes) {
                    values[index] = replacement
                    changed = true
                }
            }
            return changed ? .array(values) : nil
        case .object(let members):
            var result: JSONObject?
            for (key, member) in members {
                if Self.neverFiltered(path: path, key: key) { continue }
                trail.append(.key(key))
                defer { trail.removeLast() }
                let replacement: JSONValue?
                // A source line is code, not a key to filter by name, but its text is scanned.
                if key != "context_line", isSensitive(key) {
                    replacement = filter(member, trail, &notes)
                } else {
                    replacement = scrubbed(member, path: key, trail: &trail, notes: &notes)
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
        isCodeKey(key) && path != "request"
    }

    /// Whether `key` is one of frame's and exception's code fields. By length first: this
    /// runs for every key of every event, and hashing the key for a set cost more.
    private static func isCodeKey(_ key: String) -> Bool {
        switch key.utf8.count {
        case 4: key == "type"
        case 5: key == "colno"
        case 6: key == "module" || key == "lineno" || key == "in_app"
        case 8: key == "filename" || key == "abs_path" || key == "function"
        default: false
        }
    }

    // MARK: Patterns inside strings

    /// Replaces secrets and card numbers inside free text; with `personalData`, also email
    /// addresses and phone numbers.
    public static func scrubString(_ text: String, personalData: Bool = false) -> String {
        var text = text
        // Scans the string's own storage; allocates only when something is replaced.
        let replaced: [UInt8]? = text.withUTF8 { bytes in
            var scanner = SecretScanner(bytes, personalData: personalData)
            return scanner.run() ? scanner.output : nil
        }
        return replaced.map { String(decoding: $0, as: UTF8.self) } ?? text
    }
}
