import Foundation
public import Hummingbird
public import TelltaleAnalysis
import TelltaleCore
public import TelltaleHTTP

/// The analysis parts of the issue page: its related issues and monitors (a fragment loaded
/// after the page), and running a root-cause analysis.
public struct AnalysisPages: Sendable {
    let dashboard: Dashboard
    let rootCause: RootCauseService

    public init(dashboard: Dashboard, rootCause: RootCauseService) {
        self.dashboard = dashboard
        self.rootCause = rootCause
    }

    public func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        router.get("organizations/:org/issues/:id/related") { _, context -> Response in
            let (scope, issue) = try await dashboard.issueScope(context, .view)
            let correlated = try await CorrelationService(repositories: dashboard.repositories).correlate(issue: issue, organizationID: scope.organization.id,
                                                                                                         now: Date(), limit: 8)
            var rows = correlated.monitors.map { monitor in
                RelatedRows.Row(href: "\(scope.orgPath)/monitors/\(monitor.monitorID)/", title: "Monitor \(monitor.name) went down",
                                why: "dependency, \(Int((monitor.confidence * 100).rounded()))% confident")
            }
            rows += correlated.issues.map { item in
                let kinds = item.evidence.map(\.kind.rawValue).joined(separator: ", ")
                return RelatedRows.Row(issue, other: item.issue.issueID, sameProject: item.issue.projectID == issue.projectID, title: item.issue.title,
                                       why: "\(kinds), \(Int((item.confidence * 100).rounded()))% confident", scope: scope)
            }
            let impact = rows.isEmpty ? nil : correlated.impact.summary
            return dashboard.fragment("related_rows", RelatedRows(rows: rows, empty: "Nothing related in the last seven days.", impact: impact))
        }
        router.post("organizations/:org/issues/:id/analysis") { request, context -> Response in
            let (scope, issue) = try await dashboard.issueScope(context, .triage)
            let (form, _) = try await Form.body(of: request)
            let provider = RootCauseService.Provider(rawValue: form["provider"] ?? "offline") ?? .offline
            _ = try await rootCause.analyze(issue: issue, organizationID: scope.organization.id, provider: provider, now: Date())
            return redirect("\(scope.orgPath)/issues/\(issue.id)/#analysis")
        }
    }
}

/// A stored root-cause analysis on the issue page.
struct AnalysisView: Sendable {
    var rootCause: String
    var impact: String
    var suggestedFix: String
    var prevention: String
    var severity: Int
    var signature: String
    var evidence: [String]
    var hasEvidence: Bool
    var by: String
    var when: String
    var whenISO: String
    var note: String?

    init(_ stored: StoredAnalysis) {
        let analysis = stored.analysis
        rootCause = analysis.rootCause
        impact = analysis.impact
        suggestedFix = analysis.suggestedFix
        prevention = analysis.prevention
        severity = analysis.severity
        signature = analysis.signature.replacingOccurrences(of: "_", with: " ")
        evidence = analysis.evidence
        hasEvidence = !analysis.evidence.isEmpty
        by = stored.provider == "llm" ? "the LLM \(stored.model ?? "")" : "the offline analyzer"
        when = WebFormat.relative(stored.createdAt)
        whenISO = WebFormat.iso(stored.createdAt)
        note = stored.note
    }
}
