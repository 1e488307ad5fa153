public import Foundation

/// Classification rules, people's overrides of an issue's classification, what a dry run of
/// changed rules reads, and what similar-issue ranking compares.
public protocol ClassificationRepository: Sendable {
    func createRule(organizationID: OrganizationID, _ draft: ClassificationRuleDraft, now: Date) async throws -> ClassificationRule
    func updateRule(_ id: ClassificationRuleID, _ draft: ClassificationRuleDraft, now: Date) async throws -> ClassificationRule?
    func rule(id: ClassificationRuleID) async throws -> ClassificationRule?
    func rules(organizationID: OrganizationID) async throws -> [ClassificationRule]
    func deleteRule(_ id: ClassificationRuleID) async throws -> Bool
    /// Sets an issue's classification (a person's override), recorded in its activity.
    func setClassification(issueID: Int64, _ classification: Classification, by user: UserID?, now: Date) async throws
    /// The organization's most recently seen issues with their classification and the input
    /// their latest event gives, for a dry run.
    func classificationInputs(organizationID: OrganizationID, limit: Int) async throws -> [(issueID: Int64, title: String, current: Classification?, input: ClassificationInput)]
    /// The organization's most recently seen issues (not merged away) as similarity documents,
    /// and the one named (whether recent or not).
    func similarityDocuments(organizationID: OrganizationID, including issueID: Int64, limit: Int) async throws -> [SimilarIssues.Document]
}
