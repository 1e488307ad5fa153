import Foundation

/// One active limit, rendered in the `X-Sentry-Rate-Limits` grammar SDKs parse (§7.3):
/// `retry_after:categories:scope[:reason]`, integer seconds, `;` between categories.
public struct RateLimit: Sendable, Equatable {
    /// Seconds until the limit lifts (always whole: the Python SDK ignores `60.0`).
    public var retryAfter: Int
    /// Data categories (`error`, `transaction`…); empty means all.
    public var categories: [String]
    /// `organization`, `project` or `key`.
    public var scope: String
    /// Why, for people reading logs.
    public var reason: String?

    /// Creates a limit.
    public init(retryAfter: Int, categories: [String], scope: String, reason: String? = nil) {
        self.retryAfter = max(1, retryAfter)
        self.categories = categories
        self.scope = scope
        self.reason = reason
    }

    /// The header form of one limit.
    public var headerValue: String {
        var text = "\(retryAfter):\(categories.joined(separator: ";")):\(scope)"
        if let reason { text += ":\(reason)" }
        return text
    }

    /// Parses an `X-Sentry-Rate-Limits` value (what a client honours); malformed parts are skipped.
    public static func parse(header: String) -> [RateLimit] {
        header.split(separator: ",").compactMap { part in
            let fields = part.trimmingCharacters(in: .whitespaces).split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 2, let seconds = Double(fields[0]), seconds.isFinite, seconds >= 0 else { return nil }
            let categories = fields[1].split(separator: ";").map(String.init)
            return RateLimit(retryAfter: Int(seconds.rounded(.up)), categories: categories, scope: fields.count > 2 ? fields[2] : "",
                             reason: fields.count > 3 ? fields[3] : nil)
        }
    }

    /// The header value for several limits.
    public static func header(_ limits: [RateLimit]) -> String {
        limits.map(\.headerValue).joined(separator: ", ")
    }
}

/// The data category an item counts under for rate limits and client reports.
public enum DataCategory {
    /// Maps an item type (and, for events, whether it is an error) to its category.
    public static func of(itemType: String) -> String {
        switch itemType {
        case "event": "error"
        case "transaction": "transaction"
        case "attachment": "attachment"
        case "session", "sessions": "session"
        case "check_in": "monitor"
        case "client_report": "internal"
        case "log": "log_item"
        case "span", "otel_span": "span"
        case "profile": "profile"
        case "profile_chunk": "profile_chunk"
        case "replay_event", "replay_recording", "replay_video": "replay"
        case "feedback", "user_report": "feedback"
        case "trace_metric": "trace_metric"
        default: "default"
        }
    }
}
