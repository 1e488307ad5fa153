public import Foundation

/// A page of issues and where the next one starts.
public struct IssuePage: Sendable {
    public var issues: [Issue]
    /// Opaque; `nil` on the last page.
    public var nextCursor: String?

    public init(issues: [Issue], nextCursor: String?) {
        self.issues = issues
        self.nextCursor = nextCursor
    }
}

/// A search over a set of projects, run for a user (for `assigned:me`).
public struct IssueSearch: Sendable {
    public var projectIDs: [ProjectID]
    public var query: IssueQuery
    public var sort: IssueSort
    public var cursor: String?
    public var limit: Int
    public var user: UserID

    public init(projectIDs: [ProjectID], query: IssueQuery, sort: IssueSort = .date, cursor: String? = nil, limit: Int = 25, user: UserID) {
        self.projectIDs = projectIDs
        self.query = query
        self.sort = sort
        self.cursor = cursor
        self.limit = limit
        self.user = user
    }
}

/// Event counts per time bucket.
public struct CountSeries: Sendable, Equatable {
    /// Bucket start (seconds since 1970) and count, oldest first, empty buckets included.
    public var points: [(start: Int64, count: Int64)]

    public init(points: [(start: Int64, count: Int64)]) {
        self.points = points
    }

    public static func == (a: CountSeries, b: CountSeries) -> Bool {
        a.points.elementsEqual(b.points) { $0.start == $1.start && $0.count == $1.count }
    }
}

/// Issues: search, triage, timeline, merges.
public protocol IssueRepository: Sendable {
    /// One page of a search. Throws ``IssueQueryError`` for a malformed cursor.
    func search(_ search: IssueSearch) async throws -> IssuePage
    /// An issue by id; a merged issue's id leads to the issue it was merged into.
    func issue(id: Int64) async throws -> Issue?
    /// Applies a change and records its activity, atomically; returns the updated issue.
    /// `user` is `nil` when Telltale itself changes the issue (a recovered cron monitor resolves its issue).
    func update(id: Int64, _ change: IssueChange, by user: UserID?, now: Date) async throws -> Issue?
    /// Deletes an issue with its events.
    func delete(id: Int64) async throws -> Bool
    /// Events of an issue, newest first, paged by cursor.
    func events(issueID: Int64, cursor: String?, limit: Int) async throws -> (events: [StoredEvent], nextCursor: String?)
    /// Cursors of the events just newer than `event`, nearest first: the first shows the event
    /// two newer, the way ``events(issueID:cursor:limit:)`` pages (for "Newer" links).
    /// Distinct values of a tag across projects' issues, sorted (for pickers such as environment).
    func tagValues(projectIDs: [ProjectID], key: String, limit: Int) async throws -> [String]
    /// Cursors of the events just newer than `event`, nearest first: the first shows the event
    /// two newer, the way ``events(issueID:cursor:limit:)`` pages (for "Newer" links).
    func newerEventCursors(issueID: Int64, than event: StoredEvent, limit: Int) async throws -> [String]
    /// Adds a comment to the timeline.
    func addComment(issueID: Int64, text: String, by user: UserID, now: Date) async throws -> IssueActivity
    /// The timeline, oldest first.
    func activity(issueID: Int64) async throws -> [IssueActivity]
    /// Tag keys with their most common values.
    func tags(issueID: Int64, topValues: Int) async throws -> [IssueTagSummary]
    /// Each issue's most common value of each of these tag keys.
    func topTagValues(issueIDs: [Int64], keys: [String]) async throws -> [Int64: [String: String]]
    /// Hourly (or other) event counts of issues between two times.
    func eventCounts(issueIDs: [Int64], since: Date, until: Date, bucketSeconds: Int64) async throws -> [Int64: CountSeries]
    /// Moves the events and fingerprints of `sources` into `target`; returns the updated target.
    func merge(_ sources: [Int64], into target: Int64, by user: UserID, now: Date) async throws -> Issue?
    /// Splits the events with these grouping hashes off into a new issue; returns it.
    func unmerge(issueID: Int64, hashes: [String], by user: UserID, now: Date) async throws -> Issue?
    /// Grouping hashes that point at an issue.
    func hashes(issueID: Int64) async throws -> [String]
}
