/// How much an alert matters, kept apart from the SDK's event `level`.
public enum AlertSeverity: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case info, low, medium, high, critical

    private var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }

    public static func < (lhs: AlertSeverity, rhs: AlertSeverity) -> Bool { lhs.rank < rhs.rank }

    /// The severity an event of `level` has until issues are classified: fatal is critical,
    /// error high, warning medium, info low, debug info.
    public static func of(_ level: EventLevel) -> AlertSeverity {
        switch level {
        case .fatal: .critical
        case .error: .high
        case .warning: .medium
        case .info: .low
        case .debug: .info
        }
    }
}
