/// Where a monitor stands.
public enum MonitorStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Before its first result.
    case pending
    /// Passing.
    case up
    /// Answering, but slowly or with a certificate about to expire.
    case degraded
    /// Failing, past its failure threshold.
    case down
    /// Not checked until resumed.
    case paused
}

/// What one check found.
public enum CheckVerdict: String, Sendable, Hashable, Codable {
    /// Passed every assertion.
    case up
    /// Passed, with a warning (latency threshold, certificate expiring).
    case degraded
    /// Failed an assertion, timed out, or could not connect.
    case down

    /// Whether this result counts toward the failure threshold.
    public var isFailure: Bool { self == .down }
}
