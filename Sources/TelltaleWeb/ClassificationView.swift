import Foundation
import TelltaleCore

/// An issue's severity, category and business impact on its page, with what decided them and
/// the choices for a person's override.
struct ClassificationView: Sendable {
    struct Choice: Sendable { var value: String; var selected: Bool }

    var severity: String
    var category: String
    var impact: String
    var why: String
    var severities: [Choice]
    var categories: [Choice]
    var impacts: [Choice]

    init(_ classification: Classification, rules: [ClassificationRuleID: String]) {
        severity = classification.severity.rawValue
        category = classification.category.rawValue
        impact = classification.impact.rawValue
        why = switch classification.classifiedBy {
        case .rule(let id): "rule “\(rules[id] ?? "#\(id)")”"
        case .builtIn(let name): "the built-in \(name.replacingOccurrences(of: "_", with: " ")) rule"
        case .client: "the values the client sent"
        case .user: "a person"
        case .level: "the event's level"
        }
        severities = IssueSeverity.allCases.reversed().map { Choice(value: $0.rawValue, selected: $0 == classification.severity) }
        let names = IssueCategory.defaults.contains(category) ? IssueCategory.defaults : IssueCategory.defaults + [category]
        categories = names.map { Choice(value: $0, selected: $0 == classification.category.rawValue) }
        impacts = BusinessImpact.allCases.map { Choice(value: $0.rawValue, selected: $0 == classification.impact) }
    }
}

extension Dashboard {
    func classificationRuleNames(_ scope: PageScope) async throws -> [ClassificationRuleID: String] {
        Dictionary(try await repositories.classification.rules(organizationID: scope.organization.id).map { ($0.id, $0.draft.name) }, uniquingKeysWith: { a, _ in a })
    }
}
