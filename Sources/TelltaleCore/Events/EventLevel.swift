/// Event severity as SDKs send it, normalized (§6.1).
public enum EventLevel: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case debug, info, warning, error, fatal

    private var rank: Int {
        switch self {
        case .debug: 0
        case .info: 1
        case .warning: 2
        case .error: 3
        case .fatal: 4
        }
    }

    public static func < (lhs: EventLevel, rhs: EventLevel) -> Bool { lhs.rank < rhs.rank }

    /// Reads the many spellings SDKs use: names, `critical`, `log`, `warn`, Python's 10–50.
    public init?(sdkValue: String) {
        switch sdkValue.lowercased() {
        case "debug", "trace", "10": self = .debug
        case "info", "log", "20": self = .info
        case "warning", "warn", "30": self = .warning
        case "error", "40": self = .error
        case "fatal", "critical", "50": self = .fatal
        default: return nil
        }
    }
}
