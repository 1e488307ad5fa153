import Foundation
public import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import TelltaleCore
public import TelltaleHTTP
public import TelltaleIncidents

/// The incident pages: active incidents by severity then age, and an incident with its status
/// controls, summary, linked items, runbook runs, timeline, notes and post-mortem. Changes go
/// through the same `IncidentService` as the API and the one-click links.
public struct IncidentsDashboard: Sendable {
    let dashboard: Dashboard
    let service: IncidentService

    public init(dashboard: Dashboard, service: IncidentService) {
        self.dashboard = dashboard
        self.service = service
    }

    var incidents: any IncidentRepository { dashboard.repositories.incidents }

    public func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        router.get("organizations/:org/incidents/") { _, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .view, section: .incidents)
            return dashboard.templates.page("incidents", try await list(scope))
        }
        // The active list, live: re-rendered when an incident of the organization changes (on
        // any node) and sent when it differs from what the page has.
        router.get("organizations/:org/incidents/live") { _, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .view, section: .incidents)
            let body = ResponseBody { writer in
                var sent = ""
                let wakes = dashboard.live.changes(.incidents, subjects: [.organization(scope.organization.id)])
                try await LiveStream.pump(&writer, wakes: wakes) {
                    let html = dashboard.templates.render("incident_rows", ActiveRows(orgPath: scope.orgPath, active: try await activeRows(scope)))
                    defer { sent = html }
                    return html == sent ? "" : "event: incidents\ndata: {\"html\":\(JSONText.quoted(html))}\n\n"
                }
            }
            return Dashboard.eventStream(body)
        }
        router.post("organizations/:org/incidents/") { request, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .triage, section: .incidents)
            let (form, _) = try await Form.body(of: request)
            do {
                guard let title = form.text("title"), title.count <= 500 else { throw ValidationError(field: "title", reason: "must be 1 to 500 characters") }
                let severity = IncidentSeverity(rawValue: form["severity"] ?? "") ?? .high
                let opening = IncidentService.Opening(title: title, severity: severity, impact: String((form.text("impact") ?? "").prefix(5_000)),
                                                      policyID: form.text("policy").flatMap(Int64.init).map(EscalationPolicyID.init))
                let (opened, _) = try await service.open(opening, organizationID: scope.organization.id, by: .user(scope.principal.user.id), reason: "opened by hand")
                return redirect("\(scope.orgPath)/incidents/\(opened.id)/")
            } catch let error as ValidationError {
                return dashboard.templates.page("incidents", try await list(scope, error: "Incident not opened: \(error.field) \(error.reason)."), status: .badRequest)
            }
        }
        router.get("organizations/:org/incidents/:id/") { _, context -> Response in
            let (scope, incident) = try await incident(context, .view)
            return dashboard.templates.page("incident", try await detail(scope, incident))
        }
        router.get("organizations/:org/incidents/:id/report.md") { _, context -> Response in
            let (_, incident) = try await incident(context, .view)
            let markdown = try await service.report(incident).markdown()
            return Response(status: .ok, headers: [.contentType: "text/markdown; charset=utf-8",
                                                   .contentDisposition: "attachment; filename=\"incident-\(incident.id).md\""],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: markdown)))
        }
        for action in ["acknowledge", "resolve", "reopen", "escalate"] {
            router.post("organizations/:org/incidents/:id/\(action)") { _, context -> Response in
                let (scope, incident) = try await incident(context, .triage)
                let actor = IncidentActor.user(scope.principal.user.id)
                do {
                    switch action {
                    case "acknowledge": _ = try await service.acknowledge(incident.id, by: actor)
                    case "resolve": _ = try await service.resolve(incident.id, by: actor)
                    case "reopen": _ = try await service.reopen(incident.id, by: actor)
                    default: _ = try await service.escalateNow(incident.id, by: actor)
                    }
                    return redirect("\(scope.orgPath)/incidents/\(incident.id)/")
                } catch let conflict as IncidentConflict {
                    return dashboard.templates.page("incident", try await detail(scope, incident, error: "Not done: \(conflict.description)."), status: .conflict)
                }
            }
        }
        router.post("organizations/:org/incidents/:id/notes") { request, context -> Response in
            let (scope, incident) = try await incident(context, .triage)
            let (form, _) = try await Form.body(of: request)
            guard let text = form.text("text"), text.count <= 10_000 else {
                return dashboard.templates.page("incident", try await detail(scope, incident, error: "A note needs 1 to 10000 characters."), status: .badRequest)
            }
            _ = try await service.note(incident.id, by: .user(scope.principal.user.id), text: text, isPublic: form["public"] != nil)
            return redirect("\(scope.orgPath)/incidents/\(incident.id)/#timeline")
        }
        router.post("organizations/:org/incidents/:id/postmortem") { request, context -> Response in
            let (scope, incident) = try await incident(context, .triage)
            let (form, _) = try await Form.body(of: request)
            let items = (form["action_items"] ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let postmortem = Postmortem(summary: String((form["summary"] ?? "").prefix(20_000)), rootCause: String((form["root_cause"] ?? "").prefix(20_000)),
                                        actionItems: items.prefix(100).map { String($0.prefix(1_000)) })
            try await incidents.savePostmortem(incident.id, postmortem)
            return dashboard.templates.page("incident", try await detail(scope, incident, message: "Post-mortem saved."))
        }
    }

    func incident(_ context: TelltaleRequestContext, _ action: Action) async throws -> (PageScope, Incident) {
        let scope = try await dashboard.scope(context.parameters.require("org"), context, action, section: .incidents)
        guard let id = Int64(try context.parameters.require("id")), let incident = try await incidents.incident(id: IncidentID(id)),
              incident.organizationID == scope.organization.id else { throw HTTPError(.notFound) }
        return (scope, incident)
    }

    func list(_ scope: PageScope, error: String? = nil) async throws -> IncidentsView {
        let all = try await incidents.incidents(organizationID: scope.organization.id, statuses: [], limit: 200)
        let active = Self.active(all)
        let resolved = all.filter { $0.status == .resolved }.prefix(20)
        let recent = try await incidents.incidents(organizationID: scope.organization.id, openedSince: Date().addingTimeInterval(-30 * 86_400))
        let summary = IncidentFigures.summary(recent)
        func duration(_ seconds: Double?) -> String { seconds.map { WebFormat.duration($0) } ?? "—" }
        let people = try await people(scope)
        return IncidentsView(
            chrome: scope.chrome, orgPath: scope.orgPath, error: error,
            figures: .init(count: summary.count, mtta: duration(summary.mttaSeconds), mttr: duration(summary.mttrSeconds),
                           autoRate: summary.autoResolutionRate.map { WebFormat.percent($0) } ?? "—"),
            active: active.map { row($0, people: people) }, resolved: resolved.map { row($0, people: people) },
            policies: try await incidents.policies(organizationID: scope.organization.id).map { .init(value: $0.id.description, label: $0.draft.name) })
    }

    struct ActiveRows { var orgPath: String; var active: [IncidentsView.Row] }

    /// Open incidents, most severe first, then oldest first.
    static func active(_ all: [Incident]) -> [Incident] {
        all.filter(\.status.isOpen).sorted { ($0.severity, $1.openedAt) > ($1.severity, $0.openedAt) }
    }

    func activeRows(_ scope: PageScope) async throws -> [IncidentsView.Row] {
        let open = try await incidents.incidents(organizationID: scope.organization.id, statuses: [.triggered, .acknowledged], limit: 200)
        return Self.active(open).map { row($0, people: [:]) }
    }

    func row(_ incident: Incident, people: [UserID: String]) -> IncidentsView.Row {
        .init(id: incident.id.description, title: incident.title, severity: incident.severity.rawValue, status: incident.status.rawValue,
              opened: WebFormat.relative(incident.openedAt), openedISO: WebFormat.iso(incident.openedAt),
              resolvedBy: incident.resolvedBy.map { IncidentReport.actorName($0, people: people) } ?? "—", took: IncidentFigures.timeToResolve(incident).map { WebFormat.duration($0) } ?? "—")
    }

    func people(_ scope: PageScope) async throws -> [UserID: String] {
        Dictionary(try await dashboard.repositories.organizations.members(of: scope.organization.id).map { ($0.0.id, $0.0.name.isEmpty ? $0.0.email : $0.0.name) },
                   uniquingKeysWith: { a, _ in a })
    }

    func detail(_ scope: PageScope, _ stale: Incident, message: String? = nil, error: String? = nil) async throws -> IncidentView {
        let incident = try await incidents.incident(id: stale.id) ?? stale
        let report = try await service.report(incident)
        let runbooks = Dictionary(uniqueKeysWithValues: try await incidents.runbooks(organizationID: scope.organization.id).map { ($0.id, $0.draft.name) })
        func duration(_ seconds: Double?) -> String { seconds.map { WebFormat.duration($0) } ?? "—" }
        return IncidentView(
            chrome: scope.chrome, orgPath: scope.orgPath, path: "\(scope.orgPath)/incidents/\(incident.id)/", message: message, error: error,
            id: incident.id.description, title: incident.title, severity: incident.severity.rawValue, status: incident.status.rawValue,
            isResolved: incident.status == .resolved, canAcknowledge: incident.status == .triggered,
            canEscalate: incident.status == .triggered && incident.escalation.dueAt != nil,
            opened: WebFormat.relative(incident.openedAt), openedISO: WebFormat.iso(incident.openedAt), openedBy: report.actorName(incident.openedBy),
            tta: duration(IncidentFigures.timeToAcknowledge(incident)), ttr: duration(IncidentFigures.timeToResolve(incident)),
            nextEscalation: incident.escalation.dueAt.map { WebFormat.relative($0) } ?? "none",
            affected: "\(report.affectedEvents) events, \(report.affectedUsers) users", impact: incident.impact.isEmpty ? nil : incident.impact,
            issues: report.issues.map { .init(id: String($0.id), title: $0.title, events: String($0.events), users: String($0.users)) },
            monitors: report.monitors.map { .init(id: $0.id.description, name: $0.name, downtime: WebFormat.duration($0.downtimeSeconds)) },
            runs: try await incidents.runs(incidentID: incident.id).map { run in
                .init(name: runbooks[run.runbookID] ?? "runbook \(run.runbookID)", status: run.status.rawValue,
                      steps: run.steps.map { "\($0.index + 1). \($0.type) \($0.succeeded ? "ok" : "failed") (\($0.attempts)×)" }.joined(separator: " · "))
            },
            timeline: report.timeline.map { entry in
                .init(when: WebFormat.timestamp(entry.at), whenISO: WebFormat.iso(entry.at), kind: entry.kind.rawValue, actor: report.actorName(entry.actor),
                      message: entry.message, public: entry.isPublic)
            },
            postmortem: report.postmortem, actionItems: report.postmortem.actionItems.joined(separator: "\n"))
    }
}

struct IncidentsView: Sendable {
    struct Figures: Sendable { var count: Int; var mtta: String; var mttr: String; var autoRate: String }
    struct Row: Sendable {
        var id: String; var title: String; var severity: String; var status: String; var opened: String; var openedISO: String; var resolvedBy: String; var took: String
    }
    struct Choice: Sendable { var value: String; var label: String }

    var chrome: Chrome
    var orgPath: String
    var error: String?
    var figures: Figures
    var active: [Row]
    var resolved: [Row]
    var policies: [Choice]
}

struct IncidentView: Sendable {
    struct IssueRow: Sendable { var id: String; var title: String; var events: String; var users: String }
    struct MonitorRow: Sendable { var id: String; var name: String; var downtime: String }
    struct RunRow: Sendable { var name: String; var status: String; var steps: String }
    struct TimelineRow: Sendable { var when: String; var whenISO: String; var kind: String; var actor: String; var message: String; var `public`: Bool }

    var chrome: Chrome
    var orgPath: String
    var path: String
    var message: String?
    var error: String?
    var id: String
    var title: String
    var severity: String
    var status: String
    var isResolved: Bool
    var canAcknowledge: Bool
    var canEscalate: Bool
    var opened: String
    var openedISO: String
    var openedBy: String
    var tta: String
    var ttr: String
    var nextEscalation: String
    var affected: String
    var impact: String?
    var issues: [IssueRow]
    var monitors: [MonitorRow]
    var runs: [RunRow]
    var timeline: [TimelineRow]
    var postmortem: Postmortem
    var actionItems: String
}
