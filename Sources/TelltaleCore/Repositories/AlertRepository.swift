public import Foundation

/// Rules, channels, calendars, silences, the alert history and the notification queue.
public protocol AlertRepository: Sendable {
    func createChannel(organizationID: OrganizationID, name: String, config: ChannelConfig, now: Date) async throws -> Channel
    func channel(id: ChannelID) async throws -> Channel?
    func channels(organizationID: OrganizationID) async throws -> [Channel]
    /// A rule's own threshold crossed (installation conditions such as free disk space): a detection addressed to that rule.
    func recordCrossing(organizationID: OrganizationID, ruleID: AlertRuleID, title: String, detail: String, at: Date) async throws
    func deleteChannel(_ id: ChannelID) async throws -> Bool
    /// A person's own contact method in an organization: a channel only they are notified on.
    func createContactMethod(organizationID: OrganizationID, userID: UserID, name: String, config: ChannelConfig, now: Date) async throws -> Channel
    /// The contact methods of the organization's people (of all of them when `userID` is nil).
    func contactMethods(organizationID: OrganizationID, userID: UserID?) async throws -> [Channel]

    func createCalendar(organizationID: OrganizationID, name: String, timeZone: TimeZone, windows: [CalendarWindow], now: Date) async throws -> BusinessCalendar
    func calendars(organizationID: OrganizationID) async throws -> [BusinessCalendar]

    func createRule(organizationID: OrganizationID, _ draft: AlertRuleDraft, now: Date) async throws -> AlertRule
    func updateRule(_ id: AlertRuleID, _ draft: AlertRuleDraft, now: Date) async throws -> AlertRule?
    func rule(id: AlertRuleID) async throws -> AlertRule?
    func rules(organizationID: OrganizationID) async throws -> [AlertRule]
    func deleteRule(_ id: AlertRuleID) async throws -> Bool
    /// Whether any organization has an enabled rule.
    func anyRules() async throws -> Bool

    func createSilence(organizationID: OrganizationID, matchers: [Silence.Matcher], startsAt: Date, endsAt: Date, createdBy: UserID?, comment: String,
                       now: Date) async throws -> Silence
    func silences(organizationID: OrganizationID, activeAt: Date?) async throws -> [Silence]
    func deleteSilence(_ id: SilenceID, organizationID: OrganizationID) async throws -> Bool

    /// The position a signal stream was evaluated up to (0 at first).
    func cursor(_ name: String) async throws -> Int64
    /// Stores the alerts of one evaluation round and its notifications, and moves the cursor
    /// from `from` to `to`, all or nothing; `false` (nothing stored) when another node moved it first.
    /// `groups` are the rules' grouping states after the round.
    func commitEvaluation(cursor name: String, from: Int64, to: Int64, alerts: [AlertOutcome],
                          notifications: [OutgoingNotification], groups: [AlertGroupState], now: Date) async throws -> Bool
    /// A rule's grouping state (a quiet one when it never sent).
    func alertGroup(ruleID: AlertRuleID) async throws -> AlertGroupState
    /// Groups whose waiting alerts are due by `now`.
    func dueGroups(now: Date) async throws -> [AlertGroupState]
    /// The alerts waiting in a rule's group, oldest first.
    func pendingAlerts(ruleID: AlertRuleID) async throws -> [AlertRecord]
    /// Sends a group's waiting alerts: marks them notified, queues `notifications`, and resets
    /// the group, only if the group is still as read (another node may have flushed it).
    func flushGroup(_ group: AlertGroupState, alerts: [AlertID], notifications: [OutgoingNotification], now: Date) async throws -> Bool
    /// When a rule last notified about a subject.
    func lastNotified(ruleID: AlertRuleID, subjects: [String]) async throws -> [String: Date]
    func alerts(organizationID: OrganizationID, limit: Int) async throws -> [AlertRecord]

    /// Claims notifications due by `now` for `owner` until `leaseUntil`.
    func claimNotifications(now: Date, limit: Int, owner: String, leaseUntil: Date) async throws -> [QueuedNotification]
    /// Records attempts and their decisions (delivered, retry at, failed) in one transaction.
    func recordAttempts(_ attempts: [DeliveryAttempt]) async throws
    func notifications(organizationID: OrganizationID, limit: Int) async throws -> [NotificationRecord]
    func attempts(notificationID: NotificationID) async throws -> [DeliveryAttempt]
    /// When the next queued notification is due, to sleep until then.
    func nextNotificationAt() async throws -> Date?

    /// Deletes at most `batchSize` settled alerts, finished notifications (with their attempts)
    /// and in-app notifications created before `cutoff`; how many rows went.
    func purgeHistory(before cutoff: Date, batchSize: Int) async throws -> Int

    /// A person's in-app notifications, newest first, and how many are unread.
    func inbox(userID: UserID, limit: Int) async throws -> [InboxNotification]
    func unreadCount(userID: UserID) async throws -> Int
    /// Marks the given ones (all when `nil`) read; how many changed.
    func markRead(userID: UserID, ids: [InboxNotificationID]?, now: Date) async throws -> Int
}

/// The signals alert rules read, by position in their stream.
public protocol AlertSignalSource: Sendable {
    /// Events stored after `position`, oldest first, with what they did to their issue.
    func eventSignals(after position: Int64, limit: Int) async throws -> [(position: Int64, signal: EventSignal)]
    /// Monitor state changes recorded after `position`, oldest first.
    func monitorSignals(after position: Int64, limit: Int) async throws -> [(position: Int64, signal: MonitorSignal)]
    /// Status changes of issues after `position`, oldest first: a signal for those that
    /// resolved the issue, `nil` for the others (the position still moves past them).
    func resolutionSignals(after position: Int64, limit: Int) async throws -> [(position: Int64, signal: IssueResolvedSignal?)]
    /// What the detectors found after `position` (new spikes, new patterns), oldest first.
    func detectionSignals(after position: Int64, limit: Int) async throws -> [(position: Int64, signal: DetectionSignal)]
    /// The newest position of each stream, where evaluation starts on a new installation.
    func latestPositions() async throws -> (events: Int64, monitors: Int64, resolutions: Int64, detections: Int64)
    /// Counts about each event's issue (per window) and, with `projectRate`, its project's last
    /// minute, for frequency and error-rate conditions; one per event of the batch, in order.
    /// `userThresholds`: per window, the largest user count a condition compares with.
    func facts(for batch: [(position: Int64, signal: EventSignal)], windows: Set<Int>, userThresholds: [Int: Int],
               projectRate: Bool) async throws -> [SignalFacts]
}
