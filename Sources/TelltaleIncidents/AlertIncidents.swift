import Foundation
import Logging
import TelltaleCore

/// Alert rules with an `open_incident` action: their alerts (sent or waiting in a group, not
/// silenced, muted or throttled) open an incident, or attach to the open one of the same rule
/// and subject. Read from the alert history by position, so an alert recorded before a crash
/// still opens its incident afterwards; a batch replayed after a crash attaches again rather
/// than opening twice.
extension IncidentService {
    static let alertCursor = "incidents"

    /// Where reading starts when it never ran: at the newest alert, so an upgrade does not
    /// open incidents for the alert history. Called when the service starts.
    public func startOpeningFromAlerts() async throws {
        let alerts = repositories.alerts
        let latest = try await incidents.latestAlertID()
        if try await alerts.cursor(Self.alertCursor) == 0, latest > 0 {
            _ = try await alerts.commitEvaluation(cursor: Self.alertCursor, from: 0, to: latest, alerts: [], notifications: [], groups: [], now: now())
        }
    }

    /// One batch; the number of alerts read.
    @discardableResult
    public func openFromAlerts(limit: Int = 200) async throws -> Int {
        let alerts = repositories.alerts
        let from = try await alerts.cursor(Self.alertCursor)
        let batch = try await incidents.alerts(after: from, limit: limit)
        guard let last = batch.last?.id.rawValue else { return 0 }
        var rules: [AlertRuleID: AlertRule?] = [:]
        for alert in batch where (alert.status == .notified || alert.status == .pending) && !alert.firing.isResolution {
            if rules[alert.ruleID] == nil { rules[alert.ruleID] = .some(try await alerts.rule(id: alert.ruleID)) }
            guard let rule = rules[alert.ruleID] ?? nil else { continue }
            let dedupKey = "rule:\(rule.id):\(alert.firing.subject)"
            for settings in rule.draft.actions.compactMap(\.incident) {
                var links = IncidentLinks(alerts: [alert.id])
                let parts = alert.firing.subject.split(separator: ":")
                if parts.count == 2, let id = Int64(parts[1]) {
                    if parts[0] == "issue" { links.issues = [id] } else if parts[0] == "monitor" { links.monitors = [MonitorID(id)] }
                }
                let opening = Opening(title: alert.firing.title, severity: settings.severity, policyID: settings.policyID, autoResolve: settings.autoResolve,
                                      quietPeriodSeconds: settings.quietPeriodSeconds, links: links, dedupKey: dedupKey)
                do {
                    try await open(opening, organizationID: alert.organizationID, by: .rule(rule.id), reason: "\(rule.draft.name): \(alert.firing.reason)")
                } catch let error as ValidationError {
                    // The policy was deleted since the rule was saved: open without it rather than not at all.
                    logger.warning("Opening an incident without its escalation policy", metadata: ["rule.id": "\(rule.id)", "error": "\(error)"])
                    var plain = opening
                    plain.policyID = nil
                    try await open(plain, organizationID: alert.organizationID, by: .rule(rule.id), reason: "\(rule.draft.name): \(alert.firing.reason)")
                }
            }
            // Runbooks start after the incident opened, so they act on it (and can resolve it).
            for runbookID in rule.draft.actions.compactMap(\.runbook) {
                let incident = try await incidents.openIncident(organizationID: alert.organizationID, dedupKey: dedupKey)
                _ = try await queueRun(runbookID, organizationID: alert.organizationID, incidentID: incident?.id, trigger: "rule:\(rule.id)", payload: [:])
            }
        }
        _ = try await alerts.commitEvaluation(cursor: Self.alertCursor, from: from, to: last, alerts: [], notifications: [], groups: [], now: now())
        return batch.count
    }
}
