public import Foundation
public import Logging
public import Metrics
public import ServiceLifecycle
public import TelltaleCore

/// Reads what happened (events stored, monitor changes) in order from where it left off,
/// runs every enabled rule of the organization over it, and stores the alerts and their
/// notifications together with the new position. The position moves by compare-and-set, so
/// with several nodes each signal is evaluated once, and after a crash nothing is skipped.
public final class AlertEvaluator: Service, Sendable {
    let repositories: Repositories
    let publicURL: String
    let logger: Logger
    let now: @Sendable () -> Date
    let pollInterval: Duration
    let delivered: @Sendable () -> Void
    let inboxChanged: @Sendable () -> Void
    /// Whether people named by rules also get email (SMTP is configured).
    let emailsPeople: Bool
    let metrics: any MetricsFactory
    /// Signals per round: rules, silences and channels are read once per round.
    static let batch = 500

    /// `delivered` is called after a round stored notifications (wakes the delivery service),
    /// `inboxChanged` after it stored in-app ones (the dashboard's bell).
    public init(repositories: Repositories, publicURL: String, logger: Logger, metrics: any MetricsFactory, pollInterval: Duration = .milliseconds(250),
                emailsPeople: Bool = false, now: @escaping @Sendable () -> Date = Date.init, delivered: @escaping @Sendable () -> Void = {},
                inboxChanged: @escaping @Sendable () -> Void = {}) {
        self.metrics = metrics
        self.repositories = repositories
        self.publicURL = publicURL
        self.logger = logger
        self.pollInterval = pollInterval
        self.now = now
        self.delivered = delivered
        self.inboxChanged = inboxChanged
        self.emailsPeople = emailsPeople
    }

    public func run() async throws {
        try await start()
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                // A round that did not fill its batch waits, so that under load the rounds are
                // few and full: each reads the rules and positions once, whatever its size.
                if try await evaluate() < Self.batch { try await Task.sleep(for: pollInterval) }
            } catch is CancellationError {
                break
            } catch {
                logger.error("Alert evaluation failed", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// A new installation starts at the newest event and monitor change: history does not alert.
    public func start() async throws {
        let alerts = repositories.alerts
        let latest = try await repositories.alertSignals.latestPositions()
        for (name, position) in [(Stream.events.rawValue, latest.events), (Stream.monitors.rawValue, latest.monitors),
                                 (Stream.resolutions.rawValue, latest.resolutions), (Stream.detections.rawValue, latest.detections)]
        where try await alerts.cursor(name) == 0 && position > 0 {
            _ = try await alerts.commitEvaluation(cursor: name, from: 0, to: position, alerts: [], notifications: [], groups: [], now: now())
        }
    }

    enum Stream: String { case events = "events", monitors = "monitor_events", resolutions = "issue_activity", detections = "detections" }

    /// One round over both streams; the number of signals read.
    @discardableResult
    public func evaluate() async throws -> Int {
        // Without any rule there is nothing to read: the positions jump to the newest, one
        // small write at most per round, so an installation without rules pays nothing per event.
        guard try await repositories.alerts.anyRules() else {
            let latest = try await repositories.alertSignals.latestPositions()
            for (stream, position) in [(Stream.events, latest.events), (Stream.monitors, latest.monitors), (Stream.resolutions, latest.resolutions),
                                       (Stream.detections, latest.detections)] {
                let from = try await repositories.alerts.cursor(stream.rawValue)
                if position > from {
                    _ = try await repositories.alerts.commitEvaluation(cursor: stream.rawValue, from: from, to: position, alerts: [], notifications: [], groups: [], now: now())
                }
            }
            return 0
        }
        let events = try await evaluateEvents()
        let monitors = try await evaluateMonitors()
        let resolutions = try await evaluateResolutions()
        let detections = try await evaluateDetections()
        let flushed = try await flushDueGroups()
        return events + monitors + resolutions + detections + flushed
    }

    /// Sends the alerts that waited in their rule's group (`group_wait`, `group_interval`) and
    /// are due now, one message per rule; the number of groups sent.
    @discardableResult
    public func flushDueGroups() async throws -> Int {
        var flushed = 0
        var round = Round(evaluator: self)
        for group in try await repositories.alerts.dueGroups(now: now()) {
            let pending = try await repositories.alerts.pendingAlerts(ruleID: group.ruleID)
            var rule: AlertRule?
            if let first = pending.first, let organization = try await round.organization(first.organizationID) {
                rule = organization.rules.first { $0.id == group.ruleID }
                if rule == nil { rule = try await repositories.alerts.rule(id: group.ruleID) }  // disabled since: still sent
            }
            guard let first = pending.first, let organization = try await round.organization(first.organizationID), let rule else {
                // Nothing waits (or the rule is gone): the group is only reset.
                _ = try await repositories.alerts.flushGroup(group, alerts: [], notifications: [], now: now())
                continue
            }
            let items = pending.map { Round.item(AlertOutcome(organizationID: $0.organizationID, firing: $0.firing, status: .notified, link: $0.link, at: $0.createdAt)) }
            let messages = Round.messages(rule: rule, organization: organization, items: items, emailsPeople: emailsPeople, now: now())
            if try await repositories.alerts.flushGroup(group, alerts: pending.map(\.id), notifications: messages, now: now()) {
                flushed += 1
                announce(messages)
            }
        }
        return flushed
    }

    /// Wakes the delivery service and the bell after notifications were stored.
    func announce(_ messages: [OutgoingNotification]) {
        if messages.contains(where: { if case .inApp = $0.target { false } else { true } }) { delivered() }
        if messages.contains(where: { if case .inApp = $0.target { true } else { false } }) { inboxChanged() }
    }

    func evaluateResolutions() async throws -> Int {
        let from = try await repositories.alerts.cursor(Stream.resolutions.rawValue)
        let changes = try await repositories.alertSignals.resolutionSignals(after: from, limit: Self.batch)
        guard let last = changes.last?.position else { return 0 }
        var round = Round(evaluator: self)
        for case let (_, signal?) in changes { try await round.consider(.issueResolved(signal)) }
        try await round.commit(cursor: Stream.resolutions.rawValue, from: from, to: last)
        return changes.count
    }

    func evaluateEvents() async throws -> Int {
        let from = try await repositories.alerts.cursor(Stream.events.rawValue)
        let signals = try await repositories.alertSignals.eventSignals(after: from, limit: Self.batch)
        guard let last = signals.last?.position else { return 0 }
        var round = Round(evaluator: self)
        let facts = try await round.facts(for: signals)
        for (index, (_, signal)) in signals.enumerated() { try await round.consider(.event(signal), facts: facts[index]) }
        try await round.commit(cursor: Stream.events.rawValue, from: from, to: last)
        return signals.count
    }

    func evaluateDetections() async throws -> Int {
        let from = try await repositories.alerts.cursor(Stream.detections.rawValue)
        let signals = try await repositories.alertSignals.detectionSignals(after: from, limit: Self.batch)
        guard let last = signals.last?.position else { return 0 }
        var round = Round(evaluator: self)
        for (_, signal) in signals { try await round.consider(.detection(signal)) }
        try await round.commit(cursor: Stream.detections.rawValue, from: from, to: last)
        return signals.count
    }

    func evaluateMonitors() async throws -> Int {
        let from = try await repositories.alerts.cursor(Stream.monitors.rawValue)
        let signals = try await repositories.alertSignals.monitorSignals(after: from, limit: Self.batch)
        guard let last = signals.last?.position else { return 0 }
        var round = Round(evaluator: self)
        for (_, signal) in signals { try await round.consider(.monitor(signal)) }
        try await round.commit(cursor: Stream.monitors.rawValue, from: from, to: last)
        return signals.count
    }

    /// Links back into the dashboard.
    func link(_ signal: AlertSignal, organizationSlug: String) -> String {
        switch signal {
        case .event(let event): "\(publicURL)/organizations/\(organizationSlug)/issues/\(event.issueID)/"
        case .issueResolved(let resolved): "\(publicURL)/organizations/\(organizationSlug)/issues/\(resolved.issueID)/"
        case .monitor(let change): "\(publicURL)/organizations/\(organizationSlug)/monitors/\(change.monitorID)/"
        // Performance thresholds are a project's; revenue at risk the organization's.
        case .detection(let detection) where detection.kind == .threshold:
            "\(publicURL)/organizations/\(organizationSlug)/\(detection.projectID == nil ? "business" : "performance")/"
        case .detection(let detection) where detection.kind == .userReport:
            "\(publicURL)/organizations/\(organizationSlug)/user-reports/\(detection.detectionID)/"
        case .detection(let detection):
            detection.issueID.map { "\(publicURL)/organizations/\(organizationSlug)/issues/\($0)/" } ?? "\(publicURL)/organizations/\(organizationSlug)/"
        }
    }
}
