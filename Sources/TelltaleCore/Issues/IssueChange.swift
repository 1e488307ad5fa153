public import Foundation

/// What a person asks to change on an issue (one or many, by id or by search).
public struct IssueChange: Sendable, Equatable {
    /// How long to ignore, as asked; turned into an ``IgnoreCondition`` against the issue's totals.
    public enum IgnoreRequest: Sendable, Equatable {
        case forever
        case until(Date)
        case moreEvents(Int64)
        case moreUsers(Int64)
    }

    public var status: IssueStatus?
    public var ignore: IgnoreRequest?
    public var resolutionNote: String?
    /// `.some(nil)` unassigns.
    public var assignee: UserID??

    public init(status: IssueStatus? = nil, ignore: IgnoreRequest? = nil, resolutionNote: String? = nil, assignee: UserID?? = nil) {
        self.status = status
        self.ignore = ignore
        self.resolutionNote = resolutionNote
        self.assignee = assignee
    }

    public var isEmpty: Bool { status == nil && assignee == nil && resolutionNote == nil && ignore == nil }
}

/// A timeline entry to record, before it has an id.
public struct ActivityDraft: Sendable, Equatable {
    public var kind: IssueActivity.Kind
    public var data: [String: String]

    public init(_ kind: IssueActivity.Kind, _ data: [String: String] = [:]) {
        self.kind = kind
        self.data = data
    }
}

extension IssueLifecycle {
    /// Applies a change: checks it, sets resolution and ignore details, and lists what the
    /// timeline records. An unchanged field records nothing.
    public static func apply(_ change: IssueChange, to issue: Issue, by user: UserID?, now: Date) throws(IssueTransitionError) -> (Issue, [ActivityDraft]) {
        var updated = issue
        var activity: [ActivityDraft] = []
        if change.ignore != nil, let status = change.status, status != .ignored {
            throw IssueTransitionError(description: "ignore conditions need status 'ignored', not '\(status.rawValue)'")
        }
        let target = change.status ?? (change.ignore != nil ? .ignored : nil)
        if let target {
            try IssueLifecycle.change(to: target)
            if target != issue.status || target == .ignored {
                updated.status = target
                var data = ["status": target.rawValue]
                if target == .resolved {
                    updated.resolvedAt = now
                    updated.resolvedBy = user
                    updated.resolutionNote = change.resolutionNote ?? issue.resolutionNote
                    if let note = updated.resolutionNote { data["note"] = note }
                } else {
                    updated.resolvedAt = nil
                    updated.resolvedBy = nil
                }
                if target == .ignored {
                    updated.ignore = condition(change.ignore ?? .forever, issue)
                    if let ignore = change.ignore { data["ignore"] = describe(ignore) }
                } else {
                    updated.ignore = nil
                }
                if target != issue.status || change.ignore != nil { activity.append(ActivityDraft(.setStatus, data)) }
            }
        }
        if target == nil, let note = change.resolutionNote, note != issue.resolutionNote {
            updated.resolutionNote = note
            activity.append(ActivityDraft(.setStatus, ["status": issue.status.rawValue, "note": note]))
        }
        if let assignee = change.assignee, assignee != issue.assignedTo {
            updated.assignedTo = assignee
            activity.append(assignee.map { ActivityDraft(.assigned, ["assignee": $0.description]) } ?? ActivityDraft(.unassigned))
        }
        return (updated, activity)
    }

    static func condition(_ request: IssueChange.IgnoreRequest, _ issue: Issue) -> IgnoreCondition {
        switch request {
        case .forever: .forever
        case .until(let date): .until(seconds: date.timeIntervalSince1970)
        case .moreEvents(let n): .moreEvents(n, baseline: issue.timesSeen)
        case .moreUsers(let n): .moreUsers(n, baseline: issue.userCount)
        }
    }

    static func describe(_ request: IssueChange.IgnoreRequest) -> String {
        switch request {
        case .forever: "forever"
        case .until(let date): "until \(Int64(date.timeIntervalSince1970))"
        case .moreEvents(let n): "\(n) more events"
        case .moreUsers(let n): "\(n) more users"
        }
    }
}
