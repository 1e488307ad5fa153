import Foundation
public import TelltaleCore

/// Classification rules for the API and the dashboard alike: checked the same way, and tried
/// against existing issues (a dry run changes nothing).
public struct ClassificationService: Sendable {
    public let repositories: Repositories
    /// How many of the most recently seen issues a dry run looks at.
    public static let dryRunIssues = 1_000

    public init(repositories: Repositories) {
        self.repositories = repositories
    }

    /// A rule's calendars must be the organization's own.
    public func check(_ draft: ClassificationRuleDraft, organizationID: OrganizationID) async throws {
        try Self.check(draft, calendars: Set(try await repositories.alerts.calendars(organizationID: organizationID).map(\.id)))
    }

    static func check(_ draft: ClassificationRuleDraft, calendars owned: Set<BusinessCalendarID>) throws {
        for id in draft.calendarIDs where !owned.contains(id) {
            throw ValidationError(field: "conditions.id", reason: "\(id) is not a calendar of this organization")
        }
    }

    /// What `proposed` (the whole rule set, or with `adding` the current rules and one more)
    /// would change among recent issues: how many were looked at, and the changes.
    public func dryRun(organizationID: OrganizationID, proposed: [ClassificationRuleDraft]?, adding: ClassificationRuleDraft?) async throws -> (checked: Int, changes: [Reclassification.Change]) {
        let current = try await repositories.classification.rules(organizationID: organizationID)
        // Proposed rules get ids after the stored ones, so "rule:<id>" stays unambiguous.
        var next = current.map(\.id.rawValue).max() ?? 0
        func rule(_ draft: ClassificationRuleDraft) -> ClassificationRule {
            next += 1
            return ClassificationRule(id: ClassificationRuleID(next), organizationID: organizationID, draft: draft)
        }
        let rules: [ClassificationRule]
        if let proposed {
            rules = proposed.map(rule)
        } else if let adding {
            rules = current + [rule(adding)]
        } else {
            throw ValidationError(field: "rules", reason: "or rule is required")
        }
        // The calendars are read once, for the checks and the classifier.
        let calendars = Dictionary(uniqueKeysWithValues: try await repositories.alerts.calendars(organizationID: organizationID).map { ($0.id, $0) })
        for rule in rules { try Self.check(rule.draft, calendars: Set(calendars.keys)) }
        let issues = try await repositories.classification.classificationInputs(organizationID: organizationID, limit: Self.dryRunIssues)
        return (issues.count, Reclassification.changes(issues, rules: rules, calendars: calendars))
    }

    /// How many of the most recently seen issues similar-issue ranking compares against.
    public static let similarityCandidates = 5_000

    /// The issues most like `issue` in its organization, best first.
    public func similar(to issue: Issue, organizationID: OrganizationID, limit: Int = 10) async throws -> [SimilarIssues.Match] {
        let documents = try await repositories.classification.similarityDocuments(organizationID: organizationID, including: issue.id, limit: Self.similarityCandidates)
        guard let target = documents.first(where: { $0.issueID == issue.id }) else { return [] }
        return SimilarIssues.rank(target, among: documents, limit: limit)
    }
}
