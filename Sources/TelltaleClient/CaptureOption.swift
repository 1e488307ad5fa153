public import SentryProtocol

/// What an application says about an error when it captures it (the seed's functional
/// options): `.severity(.high)`, `.category(.external)`, `.component("classifier")`,
/// `.endpoint("/v1/classify")`, `.businessImpact(.revenueBlocking)`, `.revenueImpact(500)`,
/// `.tag("region", "eu")`, `.context("order", ["id": "42"])`, `.fingerprint(["card"])`.
public enum CaptureOption: Sendable {
    case severity(Severity)
    case category(Category)
    case component(String)
    case endpoint(String)
    case businessImpact(BusinessImpact)
    case revenueImpact(Double)
    case tag(String, String)
    case context(String, JSONObject)
    case fingerprint([String])
    case level(Level)

    public enum Severity: String, Sendable { case critical, high, medium, low, info }
    public enum BusinessImpact: String, Sendable {
        case revenueBlocking = "revenue_blocking", userBlocking = "user_blocking", experienceDegrading = "experience_degrading"
        case operational, monitoring
    }
    public enum Level: String, Sendable, Comparable {
        case debug, info, warning, error, fatal
        public static func < (a: Self, b: Self) -> Bool { order(a) < order(b) }
        static func order(_ level: Self) -> Int { [.debug, .info, .warning, .error, .fatal].firstIndex(of: level)! }
    }
    /// An error's kind; the server's own names, or any other.
    public struct Category: Sendable, ExpressibleByStringLiteral {
        public var name: String
        public init(_ name: String) { self.name = name }
        public init(stringLiteral value: String) { name = value }
        public static let external: Category = "external", database: Category = "database", network: Category = "network"
        public static let validation: Category = "validation", authentication: Category = "authentication", payment: Category = "payment"
        public static let businessLogic: Category = "business_logic", userExperience: Category = "user_experience"
    }
}
