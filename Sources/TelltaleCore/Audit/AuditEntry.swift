public import Foundation

/// One administrative action in the audit log: who did what to which thing, when and from where.
/// Entries are only ever added (and removed by retention); nothing edits or deletes one.
public struct AuditEntry: Sendable, Hashable, Codable {
    public var id: Int64
    /// The organization the action was in; `nil` for installation-wide ones (sign-ins, own tokens).
    public var organizationID: OrganizationID?
    public var at: Date
    /// The user who acted, when one did (`nil` for a failed sign-in, the CLI or the system).
    public var actorUserID: UserID?
    /// How the actor reads: an email, `cli` or `system`.
    public var actor: String
    /// `monitors.update`, `auth.sign_in_failed`, `backup.create`.
    public var action: String
    /// What was acted on: the resource (`monitors`) and its id or slug.
    public var targetType: String
    public var targetID: String?
    /// The fields that changed, secrets masked.
    public var changes: [AuditChange]
    public var address: String?
    public var userAgent: String?

    public init(id: Int64 = 0, organizationID: OrganizationID?, at: Date, actorUserID: UserID?, actor: String, action: String,
                targetType: String, targetID: String?, changes: [AuditChange] = [], address: String? = nil, userAgent: String? = nil) {
        self.id = id
        self.organizationID = organizationID
        self.at = at
        self.actorUserID = actorUserID
        self.actor = actor
        self.action = action
        self.targetType = targetType
        self.targetID = targetID
        self.changes = changes
        self.address = address
        self.userAgent = userAgent
    }
}

/// One changed field: its value before and after (`nil` when it did not exist).
public struct AuditChange: Sendable, Hashable, Codable {
    public var field: String
    public var before: String?
    public var after: String?

    public init(field: String, before: String?, after: String?) {
        self.field = field
        self.before = before
        self.after = after
    }
}

/// Which entries to read, newest first.
public struct AuditFilter: Sendable, Hashable {
    /// One organization, or every entry (system administrators).
    public var organizationID: OrganizationID?
    public var actor: String?
    /// An action, or a prefix of one ending in `.` (`monitors.`).
    public var action: String?
    public var since: Date?
    /// Entries older than this id (the cursor of the previous page).
    public var beforeID: Int64?
    public var limit: Int

    public init(organizationID: OrganizationID?, actor: String? = nil, action: String? = nil, since: Date? = nil, beforeID: Int64? = nil, limit: Int = 100) {
        self.organizationID = organizationID
        self.actor = actor
        self.action = action
        self.since = since
        self.beforeID = beforeID
        self.limit = limit
    }
}

/// Where audit entries are kept: appended and read, never changed.
public protocol AuditRepository: Sendable {
    func record(_ entry: AuditEntry) async throws
    func entries(_ filter: AuditFilter) async throws -> [AuditEntry]
    /// Retention: removes entries older than `cutoff`; returns how many.
    func purge(olderThan cutoff: Date) async throws -> Int
}
