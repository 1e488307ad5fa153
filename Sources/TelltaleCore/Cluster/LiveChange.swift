/// What a live page shows; a committed write to its tables wakes the page's stream.
public enum LiveTopic: String, Sendable, CaseIterable {
    /// An issue was created or saw a new event.
    case issues
    /// A monitor changed state.
    case monitors
    /// An incident was opened or changed.
    case incidents
    /// A person's in-app notifications changed.
    case notifications
}

/// Whose data changed: the narrowest owner the changed row names.
public enum LiveSubject: Hashable, Sendable {
    case project(ProjectID)
    case organization(OrganizationID)
    case user(UserID)
}

/// One committed change, as the database reports it: a topic and whose data it touched.
/// A change without a subject ("everything may have changed") wakes every page of its
/// topic; it is what a node tells its pages after it may have missed notifications.
public struct LiveChange: Hashable, Sendable {
    public var topic: LiveTopic
    public var subject: LiveSubject?

    public init(_ topic: LiveTopic, _ subject: LiveSubject?) {
        self.topic = topic
        self.subject = subject
    }

    /// One change per topic with no subject: wake every page.
    public static var everything: [LiveChange] { LiveTopic.allCases.map { LiveChange($0, nil) } }

    /// Whether a page of `topic` showing `subjects` must look again.
    public func wakes(_ topic: LiveTopic, _ subjects: Set<LiveSubject>) -> Bool {
        guard self.topic == topic else { return false }
        guard let subject else { return true }
        return subjects.contains(subject)
    }

    /// The text the database sends: `issues p12`, `monitors o3`, `notifications u5`.
    /// The triggers that build it are in the store; this reads it back.
    public init?(wire: some StringProtocol) {
        let parts = wire.split(separator: " ", maxSplits: 1)
        guard let first = parts.first, let topic = LiveTopic(rawValue: String(first)) else { return nil }
        guard parts.count == 2 else {
            self.init(topic, nil)
            return
        }
        let code = parts[1]
        guard let kind = code.first, let id = Int64(code.dropFirst()) else { return nil }
        switch kind {
        case "p": self.init(topic, .project(ProjectID(id)))
        case "o": self.init(topic, .organization(OrganizationID(id)))
        case "u": self.init(topic, .user(UserID(id)))
        default: return nil
        }
    }

    /// The text form read by ``init(wire:)``.
    public var wire: String {
        switch subject {
        case nil: topic.rawValue
        case .project(let id): "\(topic.rawValue) p\(id)"
        case .organization(let id): "\(topic.rawValue) o\(id)"
        case .user(let id): "\(topic.rawValue) u\(id)"
        }
    }
}

/// Wakes live pages when data they show is committed, on this node or any other.
public protocol LiveSignals: Sendable {
    /// A stream that yields (coalesced: at most one waiting) whenever a change of `topic`
    /// touching one of `subjects` is committed, until the stream's consumer goes away.
    func changes(_ topic: LiveTopic, subjects: Set<LiveSubject>) -> AsyncStream<Void>
}
