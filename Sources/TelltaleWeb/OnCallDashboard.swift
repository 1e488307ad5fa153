import Foundation
public import Hummingbird
import Logging
import TelltaleCore
public import TelltaleHTTP
public import TelltaleIncidents

/// On-call and automation: each schedule's next two weeks as a timeline, the escalation
/// policies, and the runbooks with their runs. Admins add, edit and delete each in the API's
/// JSON shape (one set of rules for scripts and the page), and members try a runbook as a dry run.
public struct OnCallDashboard: Sendable {
    let dashboard: Dashboard
    let service: IncidentService
    let secrets: SecretBox

    public init(dashboard: Dashboard, service: IncidentService, secrets: SecretBox) {
        self.dashboard = dashboard
        self.service = service
        self.secrets = secrets
    }

    var incidents: any IncidentRepository { dashboard.repositories.incidents }

    public func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        router.get("organizations/:org/oncall/") { _, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .view, section: .incidents)
            return dashboard.templates.page("oncall", try await view(scope))
        }
        router.post("organizations/:org/oncall/:kind") { request, context -> Response in
            try await save(request, context, id: nil)
        }
        router.post("organizations/:org/oncall/:kind/:id") { request, context -> Response in
            guard let id = Int64(try context.parameters.require("id")) else { throw HTTPError(.notFound) }
            return try await save(request, context, id: id)
        }
        router.post("organizations/:org/oncall/:kind/:id/delete") { _, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .manage, section: .incidents)
            guard let id = Int64(try context.parameters.require("id")) else { throw HTTPError(.notFound) }
            let organization = scope.organization.id
            var deleted = false
            switch try context.parameters.require("kind") {
            case "schedules":
                if try await incidents.schedule(id: OnCallScheduleID(id))?.organizationID == organization {
                    deleted = try await incidents.deleteSchedule(OnCallScheduleID(id))
                }
            case "policies":
                if try await incidents.policy(id: EscalationPolicyID(id))?.organizationID == organization {
                    deleted = try await incidents.deletePolicy(EscalationPolicyID(id))
                }
            case "runbooks":
                if try await incidents.runbook(id: RunbookID(id))?.organizationID == organization {
                    deleted = try await incidents.deleteRunbook(RunbookID(id))
                }
            default:
                break
            }
            guard deleted else { throw HTTPError(.notFound) }
            return redirect("\(scope.orgPath)/oncall/")
        }
    }

    /// Creates (`id` nil) or replaces a schedule, policy or runbook from its JSON, checked as the
    /// API checks it; or renders a runbook's dry run.
    func save(_ request: Request, _ context: TelltaleRequestContext, id: Int64?) async throws -> Response {
        let kind = try context.parameters.require("kind")
        let scope = try await dashboard.scope(context.parameters.require("org"), context, kind == "dry-run" ? .triage : .manage, section: .incidents)
        let (form, _) = try await Form.body(of: request)
        let json = Data((form["definition"] ?? "").utf8)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let organization = scope.organization.id
        do {
            switch kind {
            case "schedules":
                let draft = try decoder.decode(OnCallScheduleDraft.self, from: json)
                try await service.check(draft, organizationID: organization)
                if let id {
                    guard try await incidents.schedule(id: OnCallScheduleID(id))?.organizationID == organization,
                          try await incidents.updateSchedule(OnCallScheduleID(id), draft, now: Date()) != nil else { throw HTTPError(.notFound) }
                } else {
                    _ = try await incidents.createSchedule(organizationID: organization, draft, now: Date())
                }
            case "policies":
                let draft = try decoder.decode(EscalationPolicyDraft.self, from: json)
                try await service.check(draft, organizationID: organization)
                if let id {
                    guard try await incidents.policy(id: EscalationPolicyID(id))?.organizationID == organization,
                          try await incidents.updatePolicy(EscalationPolicyID(id), draft, now: Date()) != nil else { throw HTTPError(.notFound) }
                } else {
                    _ = try await incidents.createPolicy(organizationID: organization, draft, now: Date())
                }
            case "runbooks":
                let draft = try decoder.decode(RunbookDraft.self, from: json)
                try await service.check(draft, organizationID: organization)
                if let id {
                    // Masked secrets sent back keep the stored ones.
                    guard let found = try await incidents.runbook(id: RunbookID(id)), found.organizationID == organization,
                          try await incidents.updateRunbook(found.id, try secrets.sealed(draft, previous: found.draft), now: Date()) != nil else {
                        throw HTTPError(.notFound)
                    }
                } else {
                    _ = try await incidents.createRunbook(organizationID: organization, try secrets.sealed(draft, previous: nil), now: Date())
                }
            case "dry-run":
                let draft = try decoder.decode(RunbookDraft.self, from: json)
                let payload = (try? JSONDecoder().decode([String: String].self, from: Data((form["payload"] ?? "{}").utf8))) ?? [:]
                let plan = DryRun.plan(draft, payload: payload).map { "\($0.index + 1). \($0.description)" + ($0.body.map { "\n   body: \($0)" } ?? "") }
                return dashboard.templates.page("oncall", try await view(scope, dryRun: plan.joined(separator: "\n")))
            default:
                throw HTTPError(.notFound)
            }
            return redirect("\(scope.orgPath)/oncall/")
        } catch let error as ValidationError {
            return dashboard.templates.page("oncall", try await view(scope, error: "Not saved: \(error.field) \(error.reason)."), status: .badRequest)
        } catch let error as DecodingError {
            return dashboard.templates.page("oncall", try await view(scope, error: "Not saved: the JSON is not valid (\(Self.describe(error)))."), status: .badRequest)
        }
    }

    /// A definition as the editor shows it: the API's JSON, secrets masked.
    static func definition(_ draft: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return (try? encoder.encode(draft)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): "missing \(key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context): context.debugDescription
        @unknown default: "malformed"
        }
    }

    func view(_ scope: PageScope, error: String? = nil, dryRun: String? = nil) async throws -> OnCallView {
        let now = Date()
        let window = TimeRange(start: now, end: now.addingTimeInterval(14 * 86_400))
        let members = try await dashboard.repositories.organizations.members(of: scope.organization.id).map(\.0)
        let names = Dictionary(members.map { ($0.id, $0.name.isEmpty ? $0.email : $0.name) }, uniquingKeysWith: { a, _ in a })
        let order = Dictionary(members.enumerated().map { ($1.id, $0 % 6) }, uniquingKeysWith: { a, _ in a })
        let counts = try await incidents.runCounts(organizationID: scope.organization.id)
        let schedules = try await incidents.schedules(organizationID: scope.organization.id).map { schedule in
            let shifts = schedule.draft.shifts(from: window.start, to: window.end, step: 900)
            return OnCallView.ScheduleRow(
                id: schedule.id.description, name: schedule.draft.name, timeZone: schedule.draft.timeZone.identifier, definition: Self.definition(schedule.draft),
                now: schedule.draft.onCall(at: now).map { names[$0] ?? "user \($0)" } ?? "nobody",
                timeline: Charts.spanTimeline(shifts.map { shift in
                    (TimeRange(start: shift.start, end: shift.end), shift.userID.map { "oc-\(order[$0] ?? 0)" } ?? "st-down",
                     shift.userID.map { names[$0] ?? "user \($0)" } ?? "nobody on call")
                }, window: window, label: "who is on call in the next two weeks"),
                shifts: shifts.prefix(30).map { shift in
                    .init(who: shift.userID.map { names[$0] ?? "user \($0)" } ?? "nobody", from: WebFormat.timestamp(shift.start), until: WebFormat.timestamp(shift.end),
                          gap: shift.userID == nil)
                })
        }
        let policies = try await incidents.policies(organizationID: scope.organization.id).map { policy in
            OnCallView.PolicyRow(id: policy.id.description, name: policy.draft.name, definition: Self.definition(policy.draft), steps: policy.draft.steps.enumerated().map { index, step in
                "\(index + 1). after \(WebFormat.duration(TimeInterval(step.delaySeconds))): " + step.targets.map { target in
                    switch target {
                    case .user(let id): names[id] ?? "user \(id)"
                    case .channel(let id): "channel \(id)"
                    case .schedule(let id): "on call in schedule \(id)"
                    }
                }.joined(separator: ", ") + (step.runbook.map { " · runbook \($0)" } ?? "")
            }.joined(separator: " → ") + (policy.draft.repeat > 0 ? " (repeated \(policy.draft.repeat)×)" : ""))
        }
        let runbooks = try await incidents.runbooks(organizationID: scope.organization.id).map { runbook in
            OnCallView.RunbookRow(id: runbook.id.description, name: runbook.draft.name, definition: Self.definition(SecretBox.masked(runbook.draft)), steps: runbook.draft.steps.map(\.typeName).joined(separator: " → "),
                                  succeeded: counts[runbook.id]?.succeeded ?? 0, failed: counts[runbook.id]?.failed ?? 0)
        }
        return OnCallView(chrome: scope.chrome, orgPath: scope.orgPath, error: error, dryRun: dryRun, schedules: schedules, policies: policies, runbooks: runbooks,
                          members: members.map { "\($0.id) \($0.name.isEmpty ? $0.email : $0.name)" }.joined(separator: ", "))
    }
}

struct OnCallView: Sendable {
    struct Shift: Sendable { var who: String; var from: String; var until: String; var gap: Bool }
    struct ScheduleRow: Sendable {
        var id: String; var name: String; var timeZone: String; var definition: String; var now: String; var timeline: String; var shifts: [Shift]
    }
    struct PolicyRow: Sendable { var id: String; var name: String; var definition: String; var steps: String }
    struct RunbookRow: Sendable { var id: String; var name: String; var definition: String; var steps: String; var succeeded: Int; var failed: Int }

    var chrome: Chrome
    var orgPath: String
    var error: String?
    var dryRun: String?
    var schedules: [ScheduleRow]
    var policies: [PolicyRow]
    var runbooks: [RunbookRow]
    var members: String
}
