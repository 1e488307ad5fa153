/// The searchable facts of a normalized event, extracted in the same pass that normalizes
/// it; they become columns next to the stored payload.
public struct EventSummary: Sendable, Hashable {
    /// 32 lowercase hex characters.
    public var eventID: String
    /// `error` (has an exception), `default` (message), `transaction`, `feedback`…
    public var type: String
    /// Normalized level.
    public var level: EventLevel
    /// When it happened, seconds since 1970 (drift-corrected).
    public var timestamp: Double
    /// SDK platform.
    public var platform: String
    /// Issue-list title: `Type: value` or the message's first line.
    public var title: String
    /// Where: the transaction, or the last in-app frame as `module in function`.
    public var culprit: String
    /// The formatted message, when any.
    public var message: String?
    /// Type of the main exception.
    public var exceptionType: String?
    /// `false` when the SDK marked the main exception unhandled.
    public var handled: Bool?
    /// Release, environment, transaction and trace ids for filtering and linking.
    public var release: String?
    public var environment: String?
    public var transaction: String?
    public var traceID: String?
    /// Who was affected: user id, email, username or IP (as stored, after scrubbing).
    public var userKey: String?
    /// Tags as strings.
    public var tags: [String: String]
    /// Revenue the error put at risk, as sent (`contexts.business.revenue_impact`, or a
    /// `revenue_impact` tag).
    public var revenueImpact: Double? = nil
}

/// An event payload that cannot be used at all (not a JSON object): only that item is dropped.
public struct EventPayloadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Why.
    public var reason: String
    /// Creates the error.
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
