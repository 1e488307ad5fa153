import Foundation
import Testing
@testable import TelltaleCore

@Suite("Issue classification by rules, client values, calendars and built-in defaults (pure)")
struct ClassificationTests {
    static let org = OrganizationID(1)

    static func input(type: String = "ValueError", message: String = "boom", module: String = "app.views", transaction: String? = "/home",
                      level: EventLevel = .error, handled: Bool? = true, tags: [String: String] = [:], at: String = "2026-06-16T10:00:00Z") -> ClassificationInput {
        ClassificationInput(type: type, message: message, module: module, transaction: transaction, level: level, handled: handled, tags: tags,
                            at: AlertingTests.date(at))
    }

    static func rule(_ id: Int64, _ json: String) throws -> ClassificationRule {
        ClassificationRule(id: ClassificationRuleID(id), organizationID: org, draft: try AlertingTests.decode(ClassificationRuleDraft.self, json))
    }

    @Test("built-in defaults: payment paths block revenue, unhandled errors are critical, signatures name the category, the level decides the rest")
    func defaults() {
        let payment = Classifier.classify(Self.input(type: "CardError", transaction: "POST /checkout/pay"), rules: [])
        #expect(payment == Classification(severity: .high, category: IssueCategory(rawValue: "payment")!, impact: .revenueBlocking, classifiedBy: .builtIn("payment")))
        let crash = Classifier.classify(Self.input(type: "KeyError", handled: false), rules: [])
        #expect(crash.severity == .critical && crash.category.rawValue == "runtime" && crash.classifiedBy == .builtIn("unhandled"))
        let database = Classifier.classify(Self.input(type: "OperationalError", message: "could not connect to server: Connection refused"), rules: [])
        #expect(database.category.rawValue == "database" && database.severity == .high)
        let plain = Classifier.classify(Self.input(type: "Oops", message: "something", level: .warning), rules: [])
        #expect(plain == Classification(severity: .medium, category: .unknown, impact: .operational, classifiedBy: .level))
        #expect(Classifier.classify(Self.input(transaction: "/accounts/login"), rules: []).impact == .userBlocking)
    }

    @Test("rules decide field by field in position order; client values win unless a rule overrides them; calendars raise a Saturday")
    func rules() throws {
        let saturdays = BusinessCalendar(id: BusinessCalendarID(9), organizationID: Self.org, name: "Weekend", timeZone: .gmt,
                                         windows: [try AlertingTests.decode(CalendarWindow.self, #"{"days": ["sat"]}"#)])
        let rules = [
            try Self.rule(3, #"{"name": "Payments on Saturdays", "position": 1, "conditions": [{"type": "transaction", "pattern": "checkout|/pay"}, {"type": "calendar", "id": 9}], "severity": "critical"}"#),
            try Self.rule(1, #"{"name": "Database connection", "position": 2, "conditions": [{"type": "exception_type", "pattern": "OperationalError"}], "severity": "high", "category": "database", "business_impact": "user_blocking"}"#),
            try Self.rule(2, #"{"name": "Staging is noise", "position": 0, "conditions": [{"type": "tag", "key": "environment", "value": "staging"}], "severity": "info", "business_impact": "monitoring", "override_client": true}"#),
            try Self.rule(4, #"{"name": "Search team", "position": 3, "conditions": [{"type": "module", "pattern": "search."}], "category": "search_index", "enabled": false}"#),
        ]
        let calendars = [saturdays.id: saturdays]
        let saturday = Classifier.classify(Self.input(type: "CardError", transaction: "/checkout", at: "2026-06-13T10:00:00Z"), rules: rules, calendars: calendars)
        #expect(saturday.severity == .critical && saturday.impact == .revenueBlocking && saturday.classifiedBy == .rule(ClassificationRuleID(3)))
        let tuesday = Classifier.classify(Self.input(type: "CardError", transaction: "/checkout"), rules: rules, calendars: calendars)
        #expect(tuesday.severity == .high && tuesday.classifiedBy == .builtIn("payment"))
        let database = Classifier.classify(Self.input(type: "OperationalError"), rules: rules)
        #expect(database == Classification(severity: .high, category: IssueCategory(rawValue: "database")!, impact: .userBlocking, classifiedBy: .rule(ClassificationRuleID(1))))
        // The client's values win over ordinary rules, not over a rule that overrides them.
        let told = Classifier.classify(Self.input(type: "OperationalError", tags: ["severity": "low", "business_impact": "experience_degrading"]), rules: rules)
        #expect(told.severity == .low && told.impact == .experienceDegrading && told.category.rawValue == "database" && told.classifiedBy == .rule(ClassificationRuleID(1)))
        let staging = Classifier.classify(Self.input(type: "OperationalError", tags: ["environment": "staging", "severity": "critical"]), rules: rules)
        #expect(staging.severity == .info && staging.impact == .monitoring && staging.classifiedBy == .rule(ClassificationRuleID(2)))
        // A disabled rule does nothing; an organization's own category name is allowed.
        #expect(Classifier.classify(Self.input(type: "Oops", module: "search.index"), rules: rules).category == .unknown)
        #expect(try Self.rule(5, #"{"name": "x", "conditions": [{"type": "module", "pattern": "search."}], "category": "search_index"}"#).draft.category?.rawValue == "search_index")
    }

    @Test("bad rules are refused naming the field; deciders read back from their stored text")
    func badRules() throws {
        for (json, field) in [(#"{"name": "x", "conditions": [], "severity": "high"}"#, "conditions"),
                              (#"{"name": "x", "conditions": [{"type": "stack"}], "severity": "high"}"#, "conditions.type"),
                              (#"{"name": "x", "conditions": [{"type": "message", "pattern": "a"}]}"#, "severity"),
                              (#"{"name": "x", "conditions": [{"type": "message", "pattern": "a"}], "severity": "urgent"}"#, "severity"),
                              (#"{"name": "x", "conditions": [{"type": "message", "pattern": "a"}], "category": "Not Valid"}"#, "category"),
                              (#"{"name": "x", "conditions": [{"type": "level", "at_least": "loud"}], "severity": "high"}"#, "conditions.at_least"),
                              (#"{"name": "", "conditions": [{"type": "message", "pattern": "a"}], "severity": "high"}"#, "name")] {
            #expect { try AlertingTests.decode(ClassificationRuleDraft.self, json) } throws: { ($0 as? ValidationError)?.field == field }
        }
        for by in [ClassifiedBy.rule(ClassificationRuleID(12)), .builtIn("payment"), .client, .user, .level] {
            #expect(ClassifiedBy(by.description) == by)
        }
        let draft = try AlertingTests.decode(ClassificationRuleDraft.self, #"{"name": "x", "match": "any", "conditions": [{"type": "handled", "value": false}, {"type": "calendar", "id": "4", "inside": false}], "severity": "high"}"#)
        let again = try JSONDecoder().decode(ClassificationRuleDraft.self, from: JSONEncoder().encode(draft))
        #expect(again == draft)
    }
}

extension ClassificationTests {
    @Test("alert rules read the issue's classification: issue_severity, the category and impact filters, and the alert's default severity")
    func alertsReadClassification() throws {
        let payment = Classification(severity: .critical, category: IssueCategory(rawValue: "payment")!, impact: .revenueBlocking, classifiedBy: .builtIn("payment"))
        func event(_ classification: Classification?) -> AlertSignal {
            .event(EventSignal(organizationID: Self.org, projectID: ProjectID(3), projectSlug: "shop", issueID: 12, issueTitle: "CardError: declined",
                               culprit: "pay", level: .error, environment: "production", release: nil, tags: ["category": "runtime"], isNewIssue: false,
                               isRegression: false, at: AlertingTests.date("2026-06-16T10:00:00Z"), classification: classification))
        }
        let rule = AlertRule(id: AlertRuleID(1), organizationID: Self.org, draft: try AlertingTests.decode(AlertRuleDraft.self, #"""
            {"name": "Revenue", "conditions": [{"type": "issue_severity", "at_least": "high"}],
             "filters": [{"type": "category", "values": ["payment"]}, {"type": "business_impact", "values": ["revenue_blocking"]}],
             "actions": [{"type": "notify", "channels": ["1"]}]}
            """#))
        let fired = try #require(RuleEngine.evaluate(rule, event(payment), facts: .init(), calendars: [:]))
        #expect(fired.severity == .critical && fired.reason.contains("issue severity critical"))
        #expect(RuleEngine.evaluate(rule, event(nil), facts: .init(), calendars: [:]) == nil)
        var low = payment
        low.severity = .low
        #expect(RuleEngine.evaluate(rule, event(low), facts: .init(), calendars: [:]) == nil)
    }
}

@Suite("Similar issues (pure)")
struct SimilarIssuesTests {
    static func document(_ id: Int64, _ text: String) -> SimilarIssues.Document {
        SimilarIssues.Document(issueID: id, projectID: ProjectID(1), title: String(text.prefix(30)), text: text)
    }

    @Test("the same failure with other parameters ranks first; unrelated errors fall below the threshold")
    func ranking() {
        let target = Self.document(1, "OperationalError: could not connect to server on host db-1 port 5432 app.db.connect in get_connection")
        let others = [
            Self.document(2, "OperationalError: could not connect to server on host db-2 port 6432 app.db.connect in get_connection"),
            Self.document(3, "OperationalError: deadlock detected app.orders.save in commit"),
            Self.document(4, "KeyError: 'basket' app.views.checkout in add_item"),
            Self.document(5, "TypeError: undefined is not a function main.js in render"),
            Self.document(1, "the target itself is never its own match"),
        ]
        let ranked = SimilarIssues.rank(target, among: others)
        #expect(ranked.first?.issueID == 2 && (ranked.first?.score ?? 0) > 0.9, "\(ranked)")
        #expect(!ranked.contains { $0.issueID == 1 || $0.issueID == 4 || $0.issueID == 5 }, "\(ranked)")
        if let deadlock = ranked.first(where: { $0.issueID == 3 }) { #expect(deadlock.score < ranked[0].score) }
        #expect(SimilarIssues.tokens("KeyError: 'user_id' 0x7ffe in getUserName") == ["key", "error", "user_id", "in", "get", "user", "name"])
        #expect(SimilarIssues.rank(Self.document(9, "42 0x1"), among: others).isEmpty)
    }
}
