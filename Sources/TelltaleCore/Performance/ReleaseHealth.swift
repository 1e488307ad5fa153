/// A release's session figures, from single session updates and pre-aggregated buckets alike.
public struct ReleaseHealth: Sendable, Equatable, Codable {
    public var sessions: Int64
    public var crashedSessions: Int64
    public var erroredSessions: Int64
    public var abnormalSessions: Int64
    public var users: Int64
    public var crashedUsers: Int64

    public init(sessions: Int64 = 0, crashedSessions: Int64 = 0, erroredSessions: Int64 = 0, abnormalSessions: Int64 = 0, users: Int64 = 0, crashedUsers: Int64 = 0) {
        self.sessions = sessions
        self.crashedSessions = crashedSessions
        self.erroredSessions = erroredSessions
        self.abnormalSessions = abnormalSessions
        self.users = users
        self.crashedUsers = crashedUsers
    }

    /// 1 − crashed / total; nil without sessions.
    public var crashFreeSessions: Double? { sessions > 0 ? 1 - Double(crashedSessions) / Double(sessions) : nil }
    /// 1 − users with a crashed session / users; nil without users.
    public var crashFreeUsers: Double? { users > 0 ? 1 - Double(crashedUsers) / Double(users) : nil }

    /// This release's share of all sessions in the window.
    public func adoption(of total: Int64) -> Double? { total > 0 ? Double(sessions) / Double(total) : nil }

    /// A session status as the SDKs send it; unknown ones count as `ok` (still a session, not a crash).
    public enum Status: String, Sendable {
        case ok, exited, crashed, abnormal, errored

        public init(reported: String) { self = Status(rawValue: reported) ?? .ok }
    }
}

/// Compares a transaction's recent p95 with a baseline: a regression when the last window and
/// its second half both run slower than the baseline by the factor, with enough volume in each.
public enum RegressionDetector {
    public struct Finding: Sendable, Equatable {
        public var currentP95: Double
        public var baselineP95: Double
        public var ratio: Double
    }

    public static func judge(current: DDSketch, recentHalf: DDSketch, baseline: DDSketch, factor: Double, minimumCount: Int) -> Finding? {
        guard current.count >= UInt64(max(1, minimumCount)), baseline.count >= UInt64(max(1, minimumCount)),
              recentHalf.count >= UInt64(max(1, minimumCount / 2)),
              let now = current.quantile(0.95), let half = recentHalf.quantile(0.95), let before = baseline.quantile(0.95), before > 0
        else { return nil }
        guard now >= factor * before, half >= factor * before else { return nil }
        return Finding(currentP95: now, baselineP95: before, ratio: now / before)
    }
}
