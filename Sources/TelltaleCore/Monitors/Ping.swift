public import Foundation

/// What a heartbeat ping (or a Sentry check-in) says about a run.
public enum PingKind: Sendable, Hashable {
    /// The run succeeded (`/ping/{token}`, exit status 0, check-in `ok`).
    case success
    /// The run started (`/start`, check-in `in_progress`).
    case start
    /// The run failed (`/fail`, check-in `error`).
    case fail
    /// The run exited with this status (0 is success).
    case exitStatus(Int)

    /// The stored name.
    public var name: String {
        switch self {
        case .success: "success"
        case .start: "start"
        case .fail: "fail"
        case .exitStatus(let status): "exit:\(status)"
        }
    }

    public init?(name: String) {
        switch name {
        case "success": self = .success
        case "start": self = .start
        case "fail": self = .fail
        default:
            guard name.hasPrefix("exit:"), let status = Int(name.dropFirst(5)) else { return nil }
            self = .exitStatus(status)
        }
    }

    /// The path suffix after `/ping/{token}`; throws for anything else.
    public init(pathSuffix: String?) throws {
        switch pathSuffix {
        case nil, "": self = .success
        case "start": self = .start
        case "fail": self = .fail
        case let text?:
            guard let status = Int(text), (0...255).contains(status) else {
                throw ValidationError(field: "path", reason: "must end in /start, /fail or an exit status 0-255")
            }
            self = status == 0 ? .success : .exitStatus(status)
        }
    }
}

/// One ping as received.
public struct Ping: Sendable, Hashable {
    public var id: Int64
    public var monitorID: MonitorID
    public var receivedAt: Date
    public var kind: PingKind
    /// Pairs a start with its end (`?rid=`, or a Sentry `check_in_id`).
    public var runID: String?
    /// How long the paired run took, when a start was found.
    public var durationSeconds: Double?
    /// The POST body, at most 10 KB.
    public var body: String?
    /// Whether it arrived after the deadline.
    public var late: Bool

    public init(id: Int64, monitorID: MonitorID, receivedAt: Date, kind: PingKind, runID: String?, durationSeconds: Double?, body: String?, late: Bool) {
        self.id = id
        self.monitorID = monitorID
        self.receivedAt = receivedAt
        self.kind = kind
        self.runID = runID
        self.durationSeconds = durationSeconds
        self.body = body
        self.late = late
    }

    /// The largest body kept with a ping.
    public static let maxBodyBytes = 10_240
}

/// Where a push monitor's runs stand, as the ping rules need it.
public struct HeartbeatProgress: Sendable, Hashable {
    /// The last success (or, before the first one, `nil`).
    public var lastSuccessAt: Date?
    /// A run started and not yet ended.
    public var runStartedAt: Date?
    public var runID: String?

    public init(lastSuccessAt: Date?, runStartedAt: Date?, runID: String?) {
        self.lastSuccessAt = lastSuccessAt
        self.runStartedAt = runStartedAt
        self.runID = runID
    }
}

/// The pure rules for one ping: what it means for the state and when to look next.
public enum HeartbeatRules {
    /// The outcome of receiving `kind` at `now`.
    public struct Outcome: Sendable, Hashable {
        /// The verdict to feed the state machine (`nil` for a start, which decides nothing).
        public var verdict: CheckVerdict?
        public var message: String
        public var progress: HeartbeatProgress
        /// The scheduler's next look (`nil`: no deadline yet).
        public var deadline: Date?
        /// Seconds since the paired start.
        public var durationSeconds: Double?
        /// Whether a success arrived after its deadline.
        public var late: Bool
    }

    public static func receive(_ kind: PingKind, runID: String?, at now: Date, target: HeartbeatTarget,
                               progress: HeartbeatProgress, currentDeadline: Date?) -> Outcome {
        var next = progress
        // A run id pairs with its own start; without one, the latest start pairs.
        let paired = progress.runStartedAt.flatMap { started -> Date? in
            runID == nil || progress.runID == nil || runID == progress.runID ? started : nil
        }
        let duration = paired.map { now.timeIntervalSince($0) }
        let late = currentDeadline.map { now > $0 } ?? false
        switch kind {
        case .start:
            next.runStartedAt = now
            next.runID = runID
            let base = progress.lastSuccessAt ?? now
            return Outcome(verdict: nil, message: "run started", progress: next,
                           deadline: target.deadline(lastSuccess: base, runStartedAt: now), durationSeconds: nil, late: false)
        case .success, .exitStatus(0):
            next.lastSuccessAt = now
            if paired != nil { next.runStartedAt = nil; next.runID = nil }
            var verdict = CheckVerdict.up
            var message = duration.map { "run succeeded in \(formatSeconds($0))" } ?? "run succeeded"
            if let duration, let max = target.maxRuntimeSeconds, duration > Double(max) {
                verdict = .down
                message = "run took \(formatSeconds(duration)), over its max runtime of \(max) s"
            }
            return Outcome(verdict: verdict, message: message, progress: next,
                           deadline: target.deadline(lastSuccess: now, runStartedAt: next.runStartedAt), durationSeconds: duration, late: late)
        case .fail, .exitStatus:
            if paired != nil { next.runStartedAt = nil; next.runID = nil }
            let message: String
            if case .exitStatus(let status) = kind { message = "run failed with exit status \(status)" } else { message = "run reported failure" }
            let base = progress.lastSuccessAt ?? now
            return Outcome(verdict: .down, message: message, progress: next,
                           deadline: target.deadline(lastSuccess: max(base, now), runStartedAt: nil), durationSeconds: duration, late: false)
        }
    }

    /// The outcome when the deadline passed at `now` with no success.
    public static func overdue(at now: Date, target: HeartbeatTarget, progress: HeartbeatProgress) -> Outcome {
        let base = progress.lastSuccessAt ?? now
        let message = target.overdueVerdict(lastSuccess: base, runStartedAt: progress.runStartedAt, now: now)
        var next = progress
        // The overrun run is written off; the next deadline follows the schedule from now.
        if let started = progress.runStartedAt, let max = target.maxRuntimeSeconds, now >= started.addingTimeInterval(TimeInterval(max)) {
            next.runStartedAt = nil
            next.runID = nil
        }
        return Outcome(verdict: .down, message: message, progress: next,
                       deadline: target.deadline(lastSuccess: now, runStartedAt: next.runStartedAt), durationSeconds: nil, late: false)
    }

    static func formatSeconds(_ seconds: Double) -> String {
        seconds < 10 ? String(format: "%.2f s", seconds) : "\(Int(seconds.rounded())) s"
    }
}
