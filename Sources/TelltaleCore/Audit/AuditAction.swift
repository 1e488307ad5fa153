import Foundation

/// Names the action a request performed from its method, path and answer, so one middleware
/// records every administrative change of the REST API and the dashboard alike.
public enum AuditAction {
    /// What a request did, or `nil` when it is nothing to record.
    public struct Described: Sendable, Hashable {
        public var action: String
        public var targetType: String
        public var targetID: String?
        /// The organization the path names, by slug.
        public var organizationSlug: String?
        /// The path that reads the thing acted on (the path without a trailing verb).
        public var resourcePath: String = ""
    }

    /// Trailing path words that name the action itself (`…/monitors/4/pause`).
    static let verbs: [String: String] = [
        "delete": "delete", "pause": "pause", "resume": "resume", "run": "run", "test": "test", "toggle": "toggle",
        "acknowledge": "acknowledge", "resolve": "resolve", "merge": "merge", "unmerge": "unmerge", "edit": "update", "new": "create",
        "rotate": "rotate", "revoke": "revoke", "invite": "invite", "bulk": "bulk_update", "restore": "restore", "close": "close",
        "reopen": "reopen", "assign": "assign", "escalate": "escalate", "accept": "accept", "decline": "decline", "regenerate": "regenerate",
    ]

    /// `EXPORT` is a read answered as a download. `nil` for other reads, for refused requests (except sign-ins, whose failures are recorded) and
    /// for paths that change nothing administrative (dry runs, marking notifications read).
    public static func describe(method: String, path: String, status: Int) -> Described? {
        let method = method.uppercased()
        guard !["GET", "HEAD", "OPTIONS"].contains(method) else { return nil }
        var segments = path.split(separator: "/").map(String.init)
        if segments.starts(with: ["api", "0"]) { segments.removeFirst(2) }
        if segments == ["login"] {
            switch status {
            case 200..<400: return Described(action: "auth.sign_in", targetType: "session", targetID: nil)
            case 429: return Described(action: "auth.sign_in_refused", targetType: "session", targetID: nil)
            default: return Described(action: "auth.sign_in_failed", targetType: "session", targetID: nil)
            }
        }
        guard status < 400 else { return nil }
        if segments == ["logout"] { return Described(action: "auth.sign_out", targetType: "session", targetID: nil) }
        guard !segments.contains(where: { $0 == "dry-run" || $0 == "test-event" }), segments != ["notifications", "read"] else { return nil }

        var organization: String?
        var rest = segments[...]
        var targetID: String?
        if rest.first == "organizations", rest.count >= 2 {
            organization = rest[rest.startIndex + 1]
            rest = rest.dropFirst(2)
            if rest.isEmpty { return Described(action: "organizations.\(verb(method, nil))", targetType: "organizations", targetID: organization, organizationSlug: organization) }
        } else if rest.first == "projects", rest.count >= 3 {
            organization = rest[rest.startIndex + 1]
            targetID = rest[rest.startIndex + 2]
            rest = ["projects"] + rest.dropFirst(3)
        }
        var words: [String] = []
        var trailing: String?
        var named = false
        for segment in rest {
            if isIdentifier(segment) { targetID = segment; named = true; continue }
            words.append(segment.replacingOccurrences(of: "-", with: "_"))
        }
        if let last = words.last, let named = verbs[last], words.count > 1 {
            trailing = named
            words.removeLast()
        }
        guard !words.isEmpty, !words.contains(where: intake.contains) else { return nil }
        let resource = words.joined(separator: ".")
        if resource == "user_reports", trailing == nil, method == "POST", !named { return nil }
        var resourcePath = path.hasSuffix("/") ? String(path.dropLast()) : path
        if trailing != nil { resourcePath = String(resourcePath[..<(resourcePath.lastIndex(of: "/") ?? resourcePath.endIndex)]) }
        return Described(action: "\(resource).\(trailing ?? verb(method, named ? targetID : nil))", targetType: words.last ?? resource,
                         targetID: targetID, organizationSlug: organization, resourcePath: resourcePath + "/")
    }

    static func verb(_ method: String, _ id: String?) -> String {
        switch method {
        case "DELETE": "delete"
        case "EXPORT": "export"
        case "PUT", "PATCH": "update"
        default: id == nil ? "create" : "update"
        }
    }

    /// Paths that take in data rather than change settings: events and errors sent through
    /// the API, business events, performance metrics, correlation queries.
    static let intake: Set<String> = ["errors", "business_events", "metrics", "correlate"]

    /// Ids in paths are numbers or UUIDs; words are resources and verbs.
    static func isIdentifier(_ segment: String) -> Bool {
        if !segment.isEmpty, segment.allSatisfy(\.isNumber) { return true }
        return segment.count >= 32 && segment.allSatisfy { $0.isHexDigit || $0 == "-" }
    }
}
