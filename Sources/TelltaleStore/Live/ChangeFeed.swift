import Synchronization
public import TelltaleCore

/// This node's live pages and the committed changes that wake them. The backend feeds it:
/// SQLite right after each of its commits, PostgreSQL from `LISTEN` (every node's commits).
public final class ChangeFeed: LiveSignals {
    private enum Subscriber {
        /// A page: woken (coalesced) by changes of its topic and subjects.
        case page(LiveTopic, Set<LiveSubject>, AsyncStream<Void>.Continuation)
        /// Every change, each one (tests and diagnostics).
        case every(AsyncStream<LiveChange>.Continuation)
    }

    // Delivery happens on the writer's thread right after a commit, so registration and
    // delivery are synchronous; a lock held only to copy a small table fits that better
    // than an actor hop per commit.
    private let subscribers = Mutex<(next: Int, all: [Int: Subscriber])>((0, [:]))
    private let connection: Mutex<(listening: Bool, waiting: [CheckedContinuation<Void, Never>])>

    /// `listening` is false for a feed that learns of commits through a connection that is
    /// not yet open (PostgreSQL's `LISTEN`).
    public init(listening: Bool = true) {
        connection = Mutex((listening, []))
    }

    /// Whether commits on other nodes reach this one right now.
    public var isListening: Bool { connection.withLock { $0.listening } }

    /// Returns once commits reach this feed (at once on SQLite).
    public func untilListening() async {
        await withCheckedContinuation { continuation in
            let now = connection.withLock { state in
                if !state.listening { state.waiting.append(continuation) }
                return state.listening
            }
            if now { continuation.resume() }
        }
    }

    func setListening(_ listening: Bool) {
        let waiting = connection.withLock { state in
            state.listening = listening
            defer { if listening { state.waiting = [] } }
            return listening ? state.waiting : []
        }
        for continuation in waiting { continuation.resume() }
    }

    public func changes(_ topic: LiveTopic, subjects: Set<LiveSubject>) -> AsyncStream<Void> {
        let (stream, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = add(.page(topic, subjects, wake))
        wake.onTermination = { [weak self] _ in self?.remove(id) }
        return stream
    }

    /// Every change delivered from now on, in order.
    public func everyChange() -> AsyncStream<LiveChange> {
        let (stream, continuation) = AsyncStream<LiveChange>.makeStream()
        let id = add(.every(continuation))
        continuation.onTermination = { [weak self] _ in self?.remove(id) }
        return stream
    }

    /// Wakes every page that shows one of `changes`.
    public func deliver(_ changes: some Collection<LiveChange>) {
        guard !changes.isEmpty else { return }
        let current = subscribers.withLock { Array($0.all.values) }
        for subscriber in current {
            switch subscriber {
            case .page(let topic, let subjects, let wake):
                if changes.contains(where: { $0.wakes(topic, subjects) }) { wake.yield() }
            case .every(let continuation):
                for change in changes { continuation.yield(change) }
            }
        }
    }

    private func add(_ subscriber: Subscriber) -> Int {
        subscribers.withLock { state in
            state.next += 1
            state.all[state.next] = subscriber
            return state.next
        }
    }

    private func remove(_ id: Int) {
        _ = subscribers.withLock { $0.all.removeValue(forKey: id) }
    }
}
