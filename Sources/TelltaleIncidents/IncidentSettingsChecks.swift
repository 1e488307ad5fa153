import Mustache
public import TelltaleCore

/// What a policy, a schedule or a runbook names must be the organization's own: members,
/// channels, schedules, runbooks, monitors and the calendar. One check for the API and the dashboard.
extension IncidentService {
    public func check(_ draft: EscalationPolicyDraft, organizationID: OrganizationID) async throws {
        let members = Set(try await repositories.organizations.members(of: organizationID).map(\.0.id))
        let channels = Set(try await repositories.alerts.channels(organizationID: organizationID).map(\.id))
        let schedules = Set(try await incidents.schedules(organizationID: organizationID).map(\.id))
        let runbooks = Set(try await incidents.runbooks(organizationID: organizationID).map(\.id))
        let steps = draft.steps + (draft.calendar?.steps ?? [])
        for target in steps.flatMap(\.targets) {
            switch target {
            case .user(let id) where !members.contains(id):
                throw ValidationError(field: "targets", reason: "names user \(id), who is not a member of this organization")
            case .channel(let id) where !channels.contains(id):
                throw ValidationError(field: "targets", reason: "names channel \(id), which this organization does not have")
            case .schedule(let id) where !schedules.contains(id):
                throw ValidationError(field: "targets", reason: "names schedule \(id), which this organization does not have")
            default: continue
            }
        }
        for runbook in steps.compactMap(\.runbook) where !runbooks.contains(runbook) {
            throw ValidationError(field: "steps.runbook", reason: "names runbook \(runbook), which this organization does not have")
        }
        if let calendar = draft.calendar, !(try await repositories.alerts.calendars(organizationID: organizationID).contains { $0.id == calendar.id }) {
            throw ValidationError(field: "calendar", reason: "names calendar \(calendar.id), which this organization does not have")
        }
    }

    /// Monitors a runbook waits for are the organization's own, and its bodies are valid templates.
    public func check(_ draft: RunbookDraft, organizationID: OrganizationID) async throws {
        for step in draft.steps {
            if case .waitForMonitor(let id, _, _) = step {
                guard let monitor = try await repositories.monitors.monitor(id: id), monitor.organizationID == organizationID else {
                    throw ValidationError(field: "steps.monitor", reason: "names monitor \(id), which this organization does not have")
                }
            }
            if case .http(let call) = step, let body = call.body {
                do { _ = try MustacheTemplate(string: body) } catch { throw ValidationError(field: "steps.body", reason: "is not a valid template: \(error)") }
            }
        }
    }

    public func check(_ draft: OnCallScheduleDraft, organizationID: OrganizationID) async throws {
        let members = Set(try await repositories.organizations.members(of: organizationID).map(\.0.id))
        for user in draft.layers.flatMap(\.users) + draft.overrides.map(\.userID) where !members.contains(user) {
            throw ValidationError(field: "layers", reason: "names user \(user), who is not a member of this organization")
        }
    }
}
