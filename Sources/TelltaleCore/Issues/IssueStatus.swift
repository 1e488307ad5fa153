/// Where an issue is in triage.
///
/// `new` and `recurring` are set by Telltale only (first event; an event after `resolved`);
/// people move an issue through the others in any order, since real triage goes back and forth.
public enum IssueStatus: String, Sendable, CaseIterable, Codable {
    case new
    case investigating
    case identified
    case fixing
    case resolved
    case ignored
    case recurring

    /// Still needs attention (what `is:unresolved` finds).
    public var isUnresolved: Bool { self != .resolved && self != .ignored }

    /// Whether a person may set this status.
    public var isManual: Bool { self != .new && self != .recurring }
}

/// How long an ignored issue stays ignored. Counts are relative to the issue's totals when
/// it was ignored, so "100 more events" means 100 after that moment.
public enum IgnoreCondition: Sendable, Equatable {
    case forever
    case until(seconds: Double)
    case moreEvents(Int64, baseline: Int64)
    case moreUsers(Int64, baseline: Int64)
}

/// A refused status change.
public struct IssueTransitionError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
}

/// The status rules: what a person may set, and what an arriving event changes.
public enum IssueLifecycle {
    /// Checks a status a person asked for; any manual status may follow any other.
    public static func change(to target: IssueStatus) throws(IssueTransitionError) {
        guard target.isManual else {
            throw IssueTransitionError(description: "status '\(target.rawValue)' is set by Telltale, not by hand")
        }
    }

    /// What happened to an issue's status when events arrived.
    public enum Effect: Sendable, Equatable {
        /// Nothing changes.
        case none
        /// A resolved issue got a new event: it is `recurring` (a regression).
        case regressed
        /// An ignored issue's condition ran out: it needs attention again (`new`).
        case unignored
    }

    /// The effect of new events on an issue whose totals are now `timesSeen`/`userCount`.
    public static func afterEvents(status: IssueStatus, ignore: IgnoreCondition?, now: Double, timesSeen: Int64, userCount: Int64) -> Effect {
        switch status {
        case .resolved:
            return .regressed
        case .ignored:
            switch ignore ?? .forever {
            case .forever: return .none
            case .until(let seconds): return now >= seconds ? .unignored : .none
            case .moreEvents(let count, let baseline): return timesSeen - baseline >= count ? .unignored : .none
            case .moreUsers(let count, let baseline): return userCount - baseline >= count ? .unignored : .none
            }
        default:
            return .none
        }
    }

    /// The status after an effect.
    public static func status(after effect: Effect, from status: IssueStatus) -> IssueStatus {
        switch effect {
        case .none: status
        case .regressed: .recurring
        case .unignored: .new
        }
    }
}
