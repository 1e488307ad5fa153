public import Foundation
public import Logging
public import Metrics
import Synchronization
import TelltaleAlerting
public import TelltaleCore

/// Incident operations for the API, the dashboard, one-click links, alert rules and the
/// escalation timer. Each change is applied by the pure lifecycle to the incident as read and
/// stored by compare-and-set, retried on a concurrent change, with its timeline entries and
/// notifications in the same transaction.
public final class IncidentService: Sendable {
    public let repositories: Repositories
    let messages: IncidentMessages
    let logger: Logger
    let metrics: any MetricsFactory
    let now: @Sendable () -> Date
    let delivered: @Sendable () -> Void
    let inboxChanged: @Sendable () -> Void
    public let links: ActionLinks
    /// Wakes the runbook runner after a run was queued.
    let runQueued = Wakeup()

    public init(repositories: Repositories, links: ActionLinks, publicURL: String, emailsPeople: Bool, logger: Logger, metrics: any MetricsFactory,
                now: @escaping @Sendable () -> Date = Date.init, delivered: @escaping @Sendable () -> Void = {}, inboxChanged: @escaping @Sendable () -> Void = {}) {
        self.repositories = repositories
        self.links = links
        messages = IncidentMessages(publicURL: publicURL, links: links, emailsPeople: emailsPeople)
        self.logger = logger
        self.metrics = metrics
        self.now = now
        self.delivered = delivered
        self.inboxChanged = inboxChanged
    }

    var incidents: any IncidentRepository { repositories.incidents }

    /// What opening an incident needs besides its title.
    public struct Opening: Sendable {
        public var title: String
        public var severity: IncidentSeverity
        public var impact: String
        public var commanderID: UserID?
        public var policyID: EscalationPolicyID?
        public var autoResolve: Bool
        public var quietPeriodSeconds: Int
        public var links: IncidentLinks
        public var dedupKey: String?

        public init(title: String, severity: IncidentSeverity, impact: String = "", commanderID: UserID? = nil, policyID: EscalationPolicyID? = nil,
                    autoResolve: Bool = false, quietPeriodSeconds: Int = 300, links: IncidentLinks = IncidentLinks(), dedupKey: String? = nil) {
            self.title = title
            self.severity = severity
            self.impact = impact
            self.commanderID = commanderID
            self.policyID = policyID
            self.autoResolve = autoResolve
            self.quietPeriodSeconds = quietPeriodSeconds
            self.links = links
            self.dedupKey = dedupKey
        }
    }

    /// Opens an incident (or attaches to the open one with the same dedup key) and sends its
    /// first escalation steps that are due at once.
    @discardableResult
    /// With `sendNow` false the first steps are left to the escalation timer (the command line,
    /// beside a running server, leaves sending to it).
    public func open(_ opening: Opening, organizationID: OrganizationID, by actor: IncidentActor, reason: String, sendNow: Bool = true) async throws -> (Incident, created: Bool) {
        let at = now()
        var escalation = EscalationState()
        if let policyID = opening.policyID {
            guard let policy = try await incidents.policy(id: policyID), policy.organizationID == organizationID else {
                throw ValidationError(field: "escalation_policy", reason: "is not an escalation policy of this organization")
            }
            escalation = Escalation.start(policy, at: at, calendars: try await calendars(organizationID))
        }
        let draft = Incident(id: IncidentID(0), organizationID: organizationID, title: opening.title, severity: opening.severity, impact: opening.impact,
                             commanderID: opening.commanderID, policyID: opening.policyID, autoResolve: opening.autoResolve,
                             quietPeriodSeconds: opening.quietPeriodSeconds, dedupKey: opening.dedupKey, openedBy: actor, openedAt: at, escalation: escalation)
        let entry = TimelineEntry(at: at, kind: .opened, actor: actor, message: reason)
        let (incident, created): (Incident, Bool)
        do {
            (incident, created) = try await incidents.open(draft, links: opening.links, entry: entry, notifications: [])
        } catch where opening.dedupKey != nil {
            // Another node opened the same rule's incident at the same moment (the unique index
            // refused the second): this one attaches to it.
            (incident, created) = try await incidents.open(draft, links: opening.links, entry: entry, notifications: [])
        }
        if created {
            Counter(label: "telltale.incidents.opened.total", dimensions: [("severity", incident.severity.rawValue)], factory: metrics).increment()
            logger.info("Opened an incident", metadata: ["incident.id": "\(incident.id)", "incident.severity": "\(incident.severity.rawValue)"])
            return (sendNow ? try await escalateDue(incident) ?? incident : incident, true)
        }
        return (incident, false)
    }

    public func acknowledge(_ id: IncidentID, by actor: IncidentActor, via: String? = nil) async throws -> Incident {
        try await change(id) { incident, at in
            let next = try IncidentLifecycle.acknowledge(incident, by: actor, at: at)
            Metrics.Timer(label: "telltale.incident.time.to.acknowledge.seconds", factory: metrics)
                .recordNanoseconds(Int64(at.timeIntervalSince(incident.openedAt) * 1e9))
            return (next, [TimelineEntry(at: at, kind: .acknowledged, actor: actor, message: via.map { "acknowledged through \($0)" } ?? "acknowledged")], [])
        }
    }

    public func resolve(_ id: IncidentID, by actor: IncidentActor, message: String = "resolved") async throws -> Incident {
        try await change(id) { incident, at in
            let next = try IncidentLifecycle.resolve(incident, by: actor, at: at)
            Metrics.Timer(label: "telltale.incident.time.to.resolve.seconds", factory: metrics)
                .recordNanoseconds(Int64(at.timeIntervalSince(incident.openedAt) * 1e9))
            return (next, [TimelineEntry(at: at, kind: .resolved, actor: actor, message: message)], [])
        }
    }

    public func reopen(_ id: IncidentID, by actor: IncidentActor) async throws -> Incident {
        let reopened = try await change(id) { incident, at in
            let policy = try await incident.policyID.asyncMap { try await self.incidents.policy(id: $0) } ?? nil
            let next = try IncidentLifecycle.reopen(incident, at: at, policy: policy, calendars: try await self.calendars(incident.organizationID))
            return (next, [TimelineEntry(at: at, kind: .reopened, actor: actor, message: "reopened")], [])
        }
        return try await escalateDue(reopened) ?? reopened
    }

    public func escalateNow(_ id: IncidentID, by actor: IncidentActor) async throws -> Incident {
        // The steps of the attempt that was stored (a retried attempt replaces them).
        let firedNow = Mutex<[EscalationFiring]>([])
        let escalated = try await change(id) { incident, at in
            guard incident.status == .triggered else { throw IncidentConflict("only a triggered incident escalates") }
            guard let policyID = incident.policyID, let policy = try await self.incidents.policy(id: policyID) else {
                throw IncidentConflict("the incident has no escalation policy")
            }
            let (state, fired) = try Escalation.escalateNow(incident.escalation, policy: policy, now: at)
            var next = incident
            next.escalation = state
            let (entries, notifications) = try await self.notify(next, fired, by: actor, at: at)
            firedNow.withLock { $0 = fired }
            return (next, entries, notifications)
        }
        try await startRunbooks(firedNow.withLock { $0 }, of: escalated)
        return escalated
    }

    /// Starts the runbooks of steps that fired, on the incident.
    func startRunbooks(_ fired: [EscalationFiring], of incident: Incident) async throws {
        for runbook in fired.compactMap(\.runbook) {
            _ = try await queueRun(runbook, organizationID: incident.organizationID, incidentID: incident.id, trigger: "policy:\(incident.policyID?.description ?? "")",
                                   payload: [:])
        }
    }

    public func note(_ id: IncidentID, by actor: IncidentActor, text: String, isPublic: Bool) async throws -> Incident {
        try await note(id, by: actor, kind: isPublic ? .update : .note, text: text, isPublic: isPublic)
    }

    func note(_ id: IncidentID, by actor: IncidentActor, kind: TimelineEntry.Kind, text: String, isPublic: Bool = false) async throws -> Incident {
        try await change(id) { incident, at in
            (incident, [TimelineEntry(at: at, kind: kind, actor: actor, message: text, isPublic: isPublic)], [])
        }
    }

    /// Edits the fields people change by hand: title, severity, impact, commander.
    public func edit(_ id: IncidentID, by actor: IncidentActor, _ apply: @escaping @Sendable (inout Incident) throws -> Void) async throws -> Incident {
        try await change(id) { incident, at in
            var next = incident
            try apply(&next)
            var changed: [String] = []
            if next.title != incident.title { changed.append("title") }
            if next.severity != incident.severity { changed.append("severity \(incident.severity.rawValue) → \(next.severity.rawValue)") }
            if next.impact != incident.impact { changed.append("impact") }
            if next.commanderID != incident.commanderID { changed.append("commander") }
            return (next, changed.isEmpty ? [] : [TimelineEntry(at: at, kind: .edited, actor: actor, message: "changed " + changed.joined(separator: ", "))], [])
        }
    }

    /// Sends the steps due now; the incident as stored, or `nil` when nothing was due.
    @discardableResult
    public func escalateDue(_ incident: Incident) async throws -> Incident? {
        guard incident.status == .triggered, let due = incident.escalation.dueAt, due <= now(), let policyID = incident.policyID,
              let policy = try await incidents.policy(id: policyID) else { return nil }
        let at = now()
        let (state, fired) = Escalation.advance(incident.escalation, policy: policy, now: at)
        guard !fired.isEmpty else { return nil }
        var next = incident
        next.escalation = state
        let (entries, notifications) = try await notify(next, fired, by: .automatic, at: at)
        // A concurrent change (an acknowledgement) wins: the next pass reads it.
        guard let stored = try await incidents.save(next, entries: entries, notifications: notifications) else { return nil }
        announce(notifications)
        try await startRunbooks(fired, of: stored)
        return stored
    }

    /// Resolves the auto-resolving incidents whose monitors are up and issues quiet; how many.
    @discardableResult
    public func autoResolve(limit: Int = 100) async throws -> Int {
        var resolved = 0
        for (incident, monitorsUp, lastEventAt) in try await incidents.autoResolveCandidates(limit: limit)
        where IncidentLifecycle.canAutoResolve(incident, monitorsUp: monitorsUp, lastLinkedEventAt: lastEventAt, now: now()) {
            do {
                _ = try await resolve(incident.id, by: .automatic, message: "resolved automatically: the linked monitors are up and the linked issues quiet")
                resolved += 1
            } catch is IncidentConflict {
                continue
            }
        }
        return resolved
    }

    // MARK: Internals

    typealias Change = @Sendable (Incident, Date) async throws -> (Incident, [TimelineEntry], [OutgoingNotification])

    /// Applies `apply` to the stored incident and saves it, again from a fresh read when
    /// another change came first.
    func change(_ id: IncidentID, _ apply: Change) async throws -> Incident {
        for _ in 0..<5 {
            guard let incident = try await incidents.incident(id: id) else { throw DomainError.notFound("incident") }
            let (next, entries, notifications) = try await apply(incident, now())
            if let stored = try await incidents.save(next, entries: entries, notifications: notifications) {
                announce(notifications)
                await publish(stored, entries)
                return stored
            }
        }
        throw IncidentConflict("the incident kept changing; try again")
    }

    /// Public updates go to the status pages that show one of the incident's monitors, and so
    /// does the resolution of an incident that had public updates. A notice that cannot be
    /// posted is logged: the incident's own change is already stored.
    func publish(_ incident: Incident, _ entries: [TimelineEntry]) async {
        guard entries.contains(where: { $0.isPublic || $0.kind == .resolved }) else { return }
        do {
            var updates = entries.filter(\.isPublic)
            if entries.contains(where: { $0.kind == .resolved }), updates.isEmpty,
               try await incidents.timeline(incident.id).contains(where: \.isPublic) {
                updates = entries.filter { $0.kind == .resolved }
            }
            guard !updates.isEmpty else { return }
            let monitors = Set(try await incidents.links(incident.id).monitors)
            let pages = try await repositories.statusPages.pages(organizationID: incident.organizationID).filter { !monitors.isDisjoint(with: $0.monitorIDs) }
            for page in pages {
                for update in updates {
                    let severity = update.kind == .resolved ? StatusNotice.Severity.resolved : StatusNotice.Severity(incident.severity)
                    let body = update.kind == .resolved ? "This incident has been resolved." : update.message
                    _ = try await repositories.statusPages.postNotice(pageID: page.id, title: incident.title, body: body, severity: severity, now: update.at)
                }
            }
        } catch {
            logger.error("Could not post an incident update to the status pages", metadata: ["incident.id": "\(incident.id)", "error": "\(error)"])
        }
    }

    /// Timeline entries and notifications for steps that fired.
    func notify(_ incident: Incident, _ fired: [EscalationFiring], by actor: IncidentActor, at: Date) async throws -> ([TimelineEntry], [OutgoingNotification]) {
        guard !fired.isEmpty, let organization = try await repositories.organizations.organization(id: incident.organizationID) else { return ([], []) }
        let schedules = Dictionary(uniqueKeysWithValues: try await incidents.schedules(organizationID: incident.organizationID).map { ($0.id, $0) })
        let members = Dictionary(try await repositories.organizations.members(of: incident.organizationID).map { ($0.0.id, $0.0) }, uniquingKeysWith: { a, _ in a })
        let channels = Set(try await repositories.alerts.channels(organizationID: incident.organizationID).map(\.id))
        let contacts = Dictionary(grouping: try await repositories.alerts.contactMethods(organizationID: incident.organizationID, userID: nil)) {
            $0.ownerUserID ?? UserID(0)
        }
        var entries: [TimelineEntry] = [], notifications: [OutgoingNotification] = []
        for firing in fired {
            let (userIDs, channelIDs) = IncidentMessages.recipients(firing.targets, schedules: schedules, at: at)
            let users = userIDs.compactMap { members[$0] }
            let known = channelIDs.filter(channels.contains)
            let names = users.map { $0.name.isEmpty ? $0.email : $0.name } + known.map { "channel \($0)" }
            let step = "step \(firing.step + 1)" + (firing.round > 0 ? " (repeat \(firing.round))" : "")
            entries.append(TimelineEntry(at: at, kind: .escalated, actor: actor,
                                         message: names.isEmpty ? "\(step): nobody to notify (no one on call)" : "\(step): notified \(names.joined(separator: ", "))"))
            let message = messages.message(incident, organization: organization.slug.rawValue,
                                           reason: "not acknowledged: escalation \(step)", step: firing.step, now: at)
            notifications += messages.notifications(message, organizationID: incident.organizationID, users: users, channels: known, contacts: contacts)
        }
        return (entries, notifications)
    }

    func announce(_ notifications: [OutgoingNotification]) {
        if notifications.contains(where: { if case .inApp = $0.target { false } else { true } }) { delivered() }
        if notifications.contains(where: { if case .inApp = $0.target { true } else { false } }) { inboxChanged() }
    }

    func calendars(_ organizationID: OrganizationID) async throws -> [BusinessCalendarID: BusinessCalendar] {
        Dictionary(uniqueKeysWithValues: try await repositories.alerts.calendars(organizationID: organizationID).map { ($0.id, $0) })
    }
}

extension Optional where Wrapped: Sendable {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        switch self {
        case .some(let value): try await transform(value)
        case .none: nil
        }
    }
}

extension IncidentService {
    /// Queues a run of a runbook of the organization; the runner picks it up at once.
    public func queueRun(_ id: RunbookID, organizationID: OrganizationID, incidentID: IncidentID?, trigger: String, payload: [String: String]) async throws -> RunbookRun? {
        guard let runbook = try await incidents.runbook(id: id), runbook.organizationID == organizationID else {
            logger.warning("A runbook to start is gone", metadata: ["runbook.id": "\(id)"])
            return nil
        }
        let run = try await incidents.queueRun(RunbookRun(id: RunbookRunID(0), runbookID: id, organizationID: organizationID, incidentID: incidentID,
                                                          trigger: trigger, status: .queued, createdAt: now(), payload: payload))
        if let incidentID {
            _ = try? await note(incidentID, by: .runbook(runbook.draft.name), kind: .runbook, text: "runbook \(runbook.draft.name) started (\(trigger))")
        }
        runQueued.signal()
        return run
    }

    /// The post-incident report of `incident`.
    public func report(_ incident: Incident) async throws -> IncidentReport {
        let links = try await incidents.links(incident.id)
        var issues: [IncidentReport.IssueLine] = []
        for id in links.issues {
            if let issue = try await repositories.issues.issue(id: id) {
                issues.append(.init(id: id, title: issue.title, events: issue.timesSeen, users: issue.userCount))
            }
        }
        let range = TimeRange(start: incident.openedAt, end: incident.resolvedAt ?? now())
        let downtimes = links.monitors.isEmpty ? [] : try await repositories.monitors.downtimes(monitorIDs: links.monitors, overlapping: range)
        var monitors: [IncidentReport.MonitorLine] = []
        for id in links.monitors {
            guard let monitor = try await repositories.monitors.monitor(id: id) else { continue }
            let seconds = downtimes.filter { $0.monitorID == id }.reduce(0.0) { total, downtime in
                total + max(0, min(downtime.end ?? range.end, range.end).timeIntervalSince(max(downtime.start, range.start)))
            }
            monitors.append(.init(id: id, name: monitor.name, downtimeSeconds: seconds))
        }
        let people = Dictionary(try await repositories.organizations.members(of: incident.organizationID).map { ($0.0.id, $0.0.name.isEmpty ? $0.0.email : $0.0.name) },
                                uniquingKeysWith: { a, _ in a })
        return IncidentReport(incident: incident, timeline: try await incidents.timeline(incident.id), issues: issues, monitors: monitors,
                              postmortem: try await incidents.postmortem(incident.id), people: people)
    }
}
