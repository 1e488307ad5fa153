import Foundation
import Testing
@testable import TelltaleCore

/// Patterns, correlations, severity escalation and root-cause analysis.
struct AnalysisTests {
    static let now = Date(timeIntervalSince1970: 1_780_000_000)

    static func issue(_ id: Int64, project: Int64 = 1, title: String, culprit: String = "shop.views in index", events: Int = 10, users: Int = 2,
                      releases: Set<String> = ["1.0"], severity: IssueSeverity = .high) -> PatternFinder.Input {
        PatternFinder.Input(issueID: id, projectID: ProjectID(project), type: "error", title: title, culprit: culprit, severity: severity,
                            firstSeen: now.addingTimeInterval(-Double(id) * 3600), lastSeen: now, events: events, users: users, releases: releases)
    }

    @Test func messageShapesHideWhatVaries() {
        #expect(PatternFinder.messageShape("Timeout after 3000 ms calling https://api.pay.example/v1/charge for 'alice'")
            == "Timeout after <n> ms calling <url> for <s>")
        #expect(PatternFinder.messageShape("User 4f2a9c1e-0b7d-4c3e-9a55-1d2e3f4a5b6c at 10.0.0.12:5432 (bob@example.com)")
            == "User <uuid> at <ip> (<email>)")
        #expect(PatternFinder.component("shop.db in get_orders") == "shop.db")
        #expect(PatternFinder.component("/checkout") == "/checkout")
        #expect(PatternFinder.component("") == nil)
    }

    @Test func recurringShapesAndComponentsArePatterns() {
        let issues = [
            Self.issue(1, title: "TimeoutError: Timeout after 3000 ms calling https://a.example/x", culprit: "shop.payments in charge", events: 50, users: 20),
            Self.issue(2, project: 2, title: "TimeoutError: Timeout after 5000 ms calling https://b.example/y", culprit: "api.client in get", events: 5,
                       releases: ["2.0"]),
            Self.issue(3, title: "KeyError: 'sku'", culprit: "shop.payments in refund", events: 1, severity: .medium),
            Self.issue(4, title: "ValueError: bad input", culprit: "shop.forms in clean", severity: .low),
        ]
        let found = PatternFinder.find(issues)
        let shape = try! #require(found.first { $0.kind == .message })
        #expect(shape.key == "TimeoutError: Timeout after <n> ms calling <url>")
        #expect(shape.issueIDs == [1, 2] && shape.occurrences == 55 && shape.affectedUsers == 22)
        #expect(shape.projectCount == 2 && shape.releaseCount == 2)
        #expect(shape.confidence == 0.85)
        let component = try! #require(found.first { $0.kind == .component })
        #expect(component.key == "shop.payments" && component.issueIDs == [1, 3])
        #expect(shape.impactScore > component.impactScore)
        // Two TimeoutErrors are not yet an exception-type pattern: three across projects are.
        #expect(!found.contains { $0.kind == .exceptionType })
        let more = issues + [Self.issue(5, project: 3, title: "TimeoutError: upstream slow", culprit: "x in y")]
        #expect(PatternFinder.find(more).contains { $0.kind == .exceptionType && $0.key == "TimeoutError" && $0.issueIDs == [1, 2, 5] })
    }

    @Test func temporalCorrelationNeedsMoreThanChance() {
        let bucket: Int64 = 300_000
        let target = Set((0..<10).map { Int64($0 * 20) * bucket })
        // Active in the neighbouring bucket of eight of the target's ten.
        let follower = Set((0..<8).map { Int64($0 * 20 + 1) * bucket })
        let evidence = try! #require(Correlation.temporal(target: target, other: follower, buckets: 2016, bucket: bucket))
        #expect(evidence.kind == .temporal && evidence.confidence > 0.85)
        // Active everywhere: co-occurs with everything, tells nothing.
        let always = Set((0..<2016).map { Int64($0) * bucket })
        #expect(Correlation.temporal(target: target, other: always, buckets: 2016, bucket: bucket) == nil)
        #expect(Correlation.temporal(target: target, other: [Int64(7) * bucket], buckets: 2016, bucket: bucket) == nil)
        // Two issues born in the same five minutes: one co-occurrence, but both that new.
        #expect(Correlation.temporal(target: [bucket], other: [bucket], buckets: 2016, bucket: bucket)?.confidence == 0.5)
        #expect(Correlation.temporal(target: [bucket], other: [bucket, 500 * bucket, 900 * bucket], buckets: 2016, bucket: bucket) == nil)
    }

    @Test func sharedUsersTracesComponentsAndDependencies() {
        let users = try! #require(Correlation.shared(.user, shared: 8, target: 10, other: 9, noun: "user"))
        #expect(users.confidence == 0.79)
        #expect(Correlation.shared(.trace, shared: 1, target: 40, other: 50, noun: "trace")!.confidence < 0.05)
        #expect(Correlation.component(sameModule: true, sameTransaction: true, name: "/checkout")?.confidence == 0.8)
        #expect(Correlation.component(sameModule: false, sameTransaction: false, name: "") == nil)
        let down = Self.now
        let fresh = try! #require(Correlation.dependency(monitorName: "db", downAt: down, before: 0, after: 40, firstSeen: down.addingTimeInterval(30)))
        #expect(fresh.kind == .dependency && fresh.confidence >= 0.9)
        let rise = try! #require(Correlation.dependency(monitorName: "db", downAt: down, before: 4, after: 30, firstSeen: down.addingTimeInterval(-86_400)))
        #expect(rise.confidence > 0.6 && rise.confidence < fresh.confidence)
        #expect(Correlation.dependency(monitorName: "db", downAt: down, before: 40, after: 12, firstSeen: down.addingTimeInterval(-86_400)) == nil)
        #expect(Correlation.combined([users, fresh]) > fresh.confidence)
    }

    @Test func frequencyRulesEscalateSeverityAsEventsArrive() throws {
        let draft = try ClassificationRuleDraft(name: "database connections", conditions: [.exceptionType("OperationalError"), .frequency(count: 3, minutes: 5)],
                                                severity: .critical)
        let rule = ClassificationRule(id: ClassificationRuleID(4), organizationID: OrganizationID(1), draft: draft)
        var input = ClassificationInput(type: "OperationalError", message: "could not connect", module: "shop.db", transaction: nil, level: .error,
                                        handled: true, tags: [:], at: Self.now)
        // The first event alone does not reach three in five minutes.
        let first = Classifier.classify(input, rules: [rule])
        #expect(first.severity == .high && first.classifiedBy == .builtIn("database"))
        input.recentEvents = [5: 2]
        #expect(Classifier.escalation(first, input: input, rules: [rule]) == nil)
        input.recentEvents = [5: 3]
        let raised = try #require(Classifier.escalation(first, input: input, rules: [rule]))
        #expect(raised.severity == .critical && raised.classifiedBy == .rule(ClassificationRuleID(4)) && raised.category.rawValue == "database")
        // Never lowered, never over a person's decision.
        #expect(Classifier.escalation(raised, input: input, rules: [rule]) == nil)
        var overridden = first
        overridden.classifiedBy = .user
        #expect(Classifier.escalation(overridden, input: input, rules: [rule]) == nil)
        #expect(Classifier.frequencyWindows([rule]) == [5])
        let json = try JSONEncoder().encode(draft)
        #expect(try JSONDecoder().decode(ClassificationRuleDraft.self, from: json) == draft)
        #expect(throws: ValidationError.self) {
            try JSONDecoder().decode(ClassificationCondition.self, from: Data(#"{"type":"frequency","count":3,"minutes":0}"#.utf8))
        }
    }

    static func input(type: String, message: String, crumbs: [AnalysisInput.Breadcrumb] = []) -> AnalysisInput {
        AnalysisInput(title: "\(type): \(message)", type: type, message: message, culprit: "shop.db in get_orders",
                      frames: [.init(function: "handle", module: "flask.app", file: "flask/app.py", line: 900, inApp: false),
                               .init(function: "get_orders", module: "shop.db", file: "shop/db.py", line: 42, inApp: true),
                               .init(function: "connect", module: "psycopg", file: "psycopg/conn.py", line: 7, inApp: false)],
                      breadcrumbs: crumbs, tags: ["environment": "production", "user.email": "alice@example.com", "server_name": "web-1"],
                      events: 1_500, users: 30, firstSeen: now,
                      classification: Classification(severity: .high, category: IssueCategory(rawValue: "database")!, impact: .revenueBlocking, classifiedBy: .level),
                      related: [.init(issueID: 9, title: "TimeoutError in /checkout", reason: "temporal")])
    }

    @Test func offlineAnalysisNamesTheSignatureThePlaceAndAFix() {
        let analysis = RootCauseAnalyzer.analyze(Self.input(type: "OperationalError", message: "could not connect to server: Connection refused",
                                                            crumbs: [.init(category: "db", message: "SELECT * FROM orders WHERE id = 42", level: "info")]))
        #expect(analysis.signature == "database_connection")
        #expect(analysis.rootCause.contains("shop/db.py:42 in get_orders"))
        #expect(analysis.severity == 5)  // high, and widespread
        #expect(analysis.evidence.contains { $0.contains("SELECT * FROM orders WHERE id = <n>") })
        #expect(analysis.relatedIssues.map(\.issueID) == [9])
        #expect(RootCauseAnalyzer.analyze(Self.input(type: "KeyError", message: "'sku'")).signature == "missing_key")
        #expect(RootCauseAnalyzer.analyze(Self.input(type: "Whatever", message: "odd")).signature == "unknown")
    }

    @Test func thePromptCarriesNoPersonalData() throws {
        let input = Self.input(type: "ValueError", message: "bad email 'alice@example.com' from 203.0.113.9 user 4f2a9c1e-0b7d-4c3e-9a55-1d2e3f4a5b6c",
                               crumbs: [.init(category: "http", message: "POST https://api.example/users/alice?token=abc", level: "info")])
        let prompt = AnalysisPrompt.user(input)
        for secret in ["alice", "203.0.113.9", "4f2a9c1e", "token=abc", "web-1"] { #expect(!prompt.contains(secret), "\(secret) leaked") }
        #expect(prompt.contains("shop/db.py:<n> in get_orders") && prompt.contains("environment=production"))
        let fallback = RootCauseAnalyzer.analyze(input)
        let parsed = try AnalysisPrompt.parse("""
            Here you go:
            ```json
            {"root_cause": "The form passes raw input", "impact": "signups fail", "suggested_fix": "validate", "prevention": "tests", "severity": 3, "evidence": ["x"]}
            ```
            """, fallback: fallback)
        #expect(parsed.rootCause == "The form passes raw input" && parsed.severity == 3 && parsed.signature == fallback.signature)
        #expect(throws: ValidationError.self) { try AnalysisPrompt.parse("no json here", fallback: fallback) }
        #expect(throws: ValidationError.self) { try AnalysisPrompt.parse(#"{"impact": "x"}"#, fallback: fallback) }
    }

    @Test func detectionsMeetTheirAlertConditions() throws {
        func detection(_ kind: DetectionSignal.Kind, issue: Int64?) -> AlertSignal {
            .detection(DetectionSignal(organizationID: OrganizationID(1), kind: kind, detectionID: 3, projectID: ProjectID(2), issueID: issue,
                                       title: "Spike: x", detail: "40 events", issueSeverity: issue == nil ? nil : .critical, at: Self.now))
        }
        let issueSpike = detection(.spike, issue: 9), projectSpike = detection(.spike, issue: nil), pattern = detection(.pattern, issue: nil)
        func holds(_ condition: AlertCondition, _ signal: AlertSignal) -> Bool { condition.holds(for: signal, facts: SignalFacts(), severity: .medium) }
        #expect(holds(.spikeDetected(.issue), issueSpike) && !holds(.spikeDetected(.issue), projectSpike) && !holds(.spikeDetected(.issue), pattern))
        #expect(holds(.spikeDetected(.project), projectSpike) && !holds(.spikeDetected(.project), issueSpike))
        #expect(holds(.spikeDetected(.any), issueSpike) && holds(.spikeDetected(.any), projectSpike))
        #expect(holds(.patternDetected, pattern) && !holds(.patternDetected, issueSpike))
        #expect(RuleEngine.subject(issueSpike) == "spike:3" && RuleEngine.defaultSeverity(issueSpike) == .critical && RuleEngine.defaultSeverity(pattern) == .medium)
        #expect(AlertFilter.project([ProjectID(2)]).passes(issueSpike) && !AlertFilter.environment(["production"]).passes(issueSpike))
        let json = try JSONEncoder().encode(AlertCondition.spikeDetected(.project))
        #expect(try JSONDecoder().decode(AlertCondition.self, from: json) == .spikeDetected(.project))
        #expect(throws: ValidationError.self) { try JSONDecoder().decode(AlertCondition.self, from: Data(#"{"type":"spike_detected","scope":"moon"}"#.utf8)) }
    }
}
