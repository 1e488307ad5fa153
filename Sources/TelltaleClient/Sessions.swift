import Foundation
import SentryProtocol
import Synchronization

/// Release health: a session per process (`startSession()` … `endSession()`), or requests
/// counted per minute (what the Hummingbird middleware does), sent as `session` and
/// `sessions` items. Both need `release` in the options; without it they do nothing.
final class SessionTracker: Sendable {
    struct ProcessSession {
        var id: String
        var distinctID: String?
        var started: Date
        var errors: Int
    }

    struct Bucket {
        var exited = 0
        var errored = 0
        var crashed = 0
    }

    let process = Mutex<ProcessSession?>(nil)
    /// Request counts by the minute they started in (seconds since 1970, a multiple of 60),
    /// and the newest minute counted: earlier minutes are complete.
    let buckets = Mutex<(counts: [Int64: Bucket], newest: Int64)>(([:], 0))

    /// Counts a request; returns the minutes now complete, to send (only when a new minute starts).
    func record(at date: Date, errored: Bool, crashed: Bool) -> [(minute: Int64, Bucket)] {
        let minute = Int64(date.timeIntervalSince1970) / 60 * 60
        return buckets.withLock { state in
            if crashed { state.counts[minute, default: Bucket()].crashed += 1 } else if errored { state.counts[minute, default: Bucket()].errored += 1 } else {
                state.counts[minute, default: Bucket()].exited += 1
            }
            guard minute > state.newest else { return [] }
            state.newest = minute
            let done = state.counts.filter { $0.key < minute }
            for key in done.keys { state.counts[key] = nil }
            return done.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }
    }

    /// Every minute counted so far, emptied.
    func drain() -> [(minute: Int64, Bucket)] {
        buckets.withLock { state in
            defer { state.counts.removeAll() }
            return state.counts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }
    }
}

extension TelltaleClient {
    /// Starts a session for this process (a CLI run, a worker's lifetime); errors captured
    /// while it runs count in it. `distinctID` names the user or installation, if any.
    public func startSession(distinctID: String? = nil) {
        guard options.release != nil else { return }
        let session = SessionTracker.ProcessSession(id: Self.eventID(), distinctID: distinctID, started: now(), errors: 0)
        sessions.process.withLock { $0 = session }
        send(session: session, status: "ok", isInit: true)
    }

    /// Ends the process's session: `exited`, or `crashed` when the process is going down on a fatal error.
    public func endSession(crashed: Bool = false) {
        guard let session = sessions.process.withLock({ state -> SessionTracker.ProcessSession? in defer { state = nil }; return state }) else { return }
        send(session: session, status: crashed ? "crashed" : "exited", isInit: false)
    }

    /// Counts a served request for release health (the Hummingbird middleware calls this):
    /// `errored` for one that failed, `crashed` for one that took the process down.
    public func recordRequestSession(errored: Bool, crashed: Bool = false) {
        guard options.release != nil else { return }
        let done = sessions.record(at: now(), errored: errored, crashed: crashed)
        if !done.isEmpty { send(aggregates: done) }
    }

    /// Sends the minutes counted so far (before a flush or at shutdown).
    func flushSessions() {
        let counted = sessions.drain()
        if !counted.isEmpty { send(aggregates: counted) }
    }

    func countErrorInSession() {
        sessions.process.withLock { $0?.errors += 1 }
    }

    var sessionAttributes: JSONObject {
        var attrs: JSONObject = ["release": .string(options.release ?? "")]
        if let environment = options.environment { attrs["environment"] = .string(environment) }
        return attrs
    }

    func send(session: SessionTracker.ProcessSession, status: String, isInit: Bool) {
        let at = now()
        var item: JSONObject = [
            "sid": .string(session.id), "init": .bool(isInit), "started": .string(Self.timestamp(session.started)), "timestamp": .string(Self.timestamp(at)),
            "status": .string(status), "errors": .int(Int64(session.errors)), "duration": .double(at.timeIntervalSince(session.started)), "attrs": .object(sessionAttributes),
        ]
        if let distinct = session.distinctID { item["did"] = .string(distinct) }
        _ = enqueue(item: item, id: Self.eventID(), type: "session")
    }

    /// Many requests' minutes in one `sessions` item: batching, so release health costs one
    /// envelope a minute however many requests there are.
    func send(aggregates: [(minute: Int64, SessionTracker.Bucket)]) {
        let buckets = aggregates.map { minute, bucket -> JSONValue in
            .object(["started": .string(Self.timestamp(Date(timeIntervalSince1970: Double(minute)))), "exited": .int(Int64(bucket.exited)),
                     "errored": .int(Int64(bucket.errored)), "crashed": .int(Int64(bucket.crashed))])
        }
        _ = enqueue(item: ["aggregates": .array(buckets), "attrs": .object(sessionAttributes)], id: Self.eventID(), type: "sessions")
    }
}
