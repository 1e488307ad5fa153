extension IssueLifecycle {
    /// The tag by which an event says its problem is over: a client's circuit breaker closing
    /// again, a job that recovered. The event is stored and counted like any other, then its
    /// issue is resolved; the next failure reopens it as a regression.
    public static let resolvingTag = "resolves_issue"

    /// The issues a batch resolves: those whose latest event in it carries the resolving tag.
    /// `events` are (issue, carries the tag) in the order the events were sent.
    public static func resolvedByTheirEvents(_ events: [(issue: Int64, resolves: Bool)]) -> Set<Int64> {
        var latest: [Int64: Bool] = [:]
        for event in events { latest[event.issue] = event.resolves }
        return Set(latest.compactMap { $0.value ? $0.key : nil })
    }
}
