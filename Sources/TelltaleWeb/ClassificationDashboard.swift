import Foundation
public import Hummingbird
import TelltaleAnalysis
import TelltaleCore
public import TelltaleHTTP

/// Settings › Classification: the organization's classification rules in the order they run,
/// each edited in place in the API's JSON (admins), and a dry run of one more rule against the
/// recent issues (members).
public struct ClassificationDashboard: Sendable {
    let dashboard: Dashboard
    let service: ClassificationService

    public init(dashboard: Dashboard) {
        self.dashboard = dashboard
        service = ClassificationService(repositories: dashboard.repositories)
    }

    var rules: any ClassificationRepository { dashboard.repositories.classification }

    public func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        router.get("organizations/:org/settings/classification/") { _, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .view, section: .settings)
            return dashboard.templates.page("classification", try await view(scope))
        }
        router.post("organizations/:org/settings/classification/rules") { request, context -> Response in
            try await save(request, context, id: nil)
        }
        router.post("organizations/:org/settings/classification/rules/:id") { request, context -> Response in
            guard let id = Int64(try context.parameters.require("id")) else { throw HTTPError(.notFound) }
            return try await save(request, context, id: ClassificationRuleID(id))
        }
        router.post("organizations/:org/settings/classification/rules/:id/delete") { _, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .manage, section: .settings)
            guard let id = Int64(try context.parameters.require("id")), try await rules.rule(id: ClassificationRuleID(id))?.organizationID == scope.organization.id,
                  try await rules.deleteRule(ClassificationRuleID(id)) else { throw HTTPError(.notFound) }
            return redirect("\(scope.orgPath)/settings/classification/")
        }
        router.post("organizations/:org/settings/classification/dry-run") { request, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .view, section: .settings)
            let (form, _) = try await Form.body(of: request)
            do {
                let draft = try JSONDecoder().decode(ClassificationRuleDraft.self, from: Data((form["definition"] ?? "").utf8))
                let (checked, changes) = try await service.dryRun(organizationID: scope.organization.id, proposed: nil, adding: draft)
                return dashboard.templates.page("classification", try await view(scope, tried: .init(checked: checked, changes: changes.map(ClassificationPageView.ChangeRow.init)),
                                                                                   draft: form["definition"]))
            } catch let error as ValidationError {
                return dashboard.templates.page("classification", try await view(scope, error: "Not tried: \(error.field) \(error.reason)."), status: .badRequest)
            } catch is DecodingError {
                return dashboard.templates.page("classification", try await view(scope, error: "Not tried: the JSON is not valid."), status: .badRequest)
            }
        }
    }

    func save(_ request: Request, _ context: TelltaleRequestContext, id: ClassificationRuleID?) async throws -> Response {
        let scope = try await dashboard.scope(context.parameters.require("org"), context, .manage, section: .settings)
        let (form, _) = try await Form.body(of: request)
        do {
            let draft = try JSONDecoder().decode(ClassificationRuleDraft.self, from: Data((form["definition"] ?? "").utf8))
            try await service.check(draft, organizationID: scope.organization.id)
            if let id {
                guard try await rules.rule(id: id)?.organizationID == scope.organization.id, try await rules.updateRule(id, draft, now: Date()) != nil else {
                    throw HTTPError(.notFound)
                }
            } else {
                _ = try await rules.createRule(organizationID: scope.organization.id, draft, now: Date())
            }
            return redirect("\(scope.orgPath)/settings/classification/")
        } catch let error as ValidationError {
            return dashboard.templates.page("classification", try await view(scope, error: "Not saved: \(error.field) \(error.reason)."), status: .badRequest)
        } catch is DecodingError {
            return dashboard.templates.page("classification", try await view(scope, error: "Not saved: the JSON is not valid."), status: .badRequest)
        }
    }

    /// The example a new rule starts from.
    static let example = #"{"name": "Database connection errors", "position": 1, "conditions": [{"type": "exception_type", "pattern": "OperationalError|ConnectionRefused"}], "severity": "high", "category": "database", "business_impact": "user_blocking"}"#

    /// The page; `draft` is the rule text the form keeps (after a dry run, the one tried).
    func view(_ scope: PageScope, error: String? = nil, tried: ClassificationPageView.Tried? = nil, draft: String? = nil) async throws -> ClassificationPageView {
        ClassificationPageView(
            chrome: scope.chrome, orgPath: scope.orgPath, error: error, tried: tried, draft: draft ?? Self.example,
            rules: try await rules.rules(organizationID: scope.organization.id).map { rule in
                .init(id: rule.id.description, name: rule.draft.name, position: rule.draft.position, enabled: rule.draft.enabled,
                      sets: [rule.draft.severity?.rawValue, rule.draft.category?.rawValue, rule.draft.impact?.rawValue].compactMap { $0 }.joined(separator: " · "),
                      definition: OnCallDashboard.definition(rule.draft))
            })
    }
}

struct ClassificationPageView: Sendable {
    struct RuleRow: Sendable { var id: String; var name: String; var position: Int; var enabled: Bool; var sets: String; var definition: String }
    struct ChangeRow: Sendable {
        var id: String; var title: String; var current: String; var proposed: String

        init(_ change: Reclassification.Change) {
            id = String(change.issueID)
            title = change.title
            current = change.current.map { "\($0.severity.rawValue) · \($0.category.rawValue) · \($0.impact.rawValue)" } ?? "unclassified"
            proposed = "\(change.proposed.severity.rawValue) · \(change.proposed.category.rawValue) · \(change.proposed.impact.rawValue)"
        }
    }
    struct Tried: Sendable {
        var changes: [ChangeRow]
        var summary: String
        var hasChanges: Bool

        init(checked: Int, changes: [ChangeRow]) {
            self.changes = changes
            hasChanges = !changes.isEmpty
            summary = "\(checked) recent issues looked at: " + (changes.isEmpty ? "none would change." : "\(changes.count) would change.")
        }
    }

    var chrome: Chrome
    var orgPath: String
    var error: String?
    var tried: Tried?
    var draft: String
    var rules: [RuleRow]
}
