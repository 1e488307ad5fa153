import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TelltaleApp
import TelltaleCore
import TelltaleTestSupport

extension IssuesAPITests {
    @Test("issues are classified when they open, by the organization's rules and the defaults; a dry run shows what a new rule would change; a person's override sticks and is searchable",
          arguments: TestDatabase.allCases)
    func classification(database: TestDatabase) async throws {
        try await TestEnvironment.with(database) { environment in
            let app = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                // Tokens that also carry the project scopes that settings need.
                var t = try await setUp(environment)
                let all = try await environment.withAccounts { accounts, repositories in
                    var tokens: [String: HTTPFields] = [:]
                    for email in ["member@example.com", "viewer@example.com", "manager@example.com"] {
                        let user = try #require(try await repositories.users.user(email: email))
                        let secret = try await accounts.issueToken(userID: user.id, name: "all", scopes: [.eventRead, .eventWrite, .projectRead, .projectWrite]).secret
                        tokens[email] = [.authorization: "Bearer \(secret)"]
                    }
                    return tokens
                }
                t.member = all["member@example.com"]!
                t.viewer = all["viewer@example.com"]!
                t.admin = all["manager@example.com"]!
                let rules = "organizations/default/classification-rules/"
                let database = #"{"name": "Database connection", "conditions": [{"type": "exception_type", "pattern": "OperationalError"}], "severity": "high", "category": "database", "business_impact": "user_blocking"}"#
                #expect(try await call(client, .post, rules, database, auth: t.member).status == .forbidden)
                let bad = try await call(client, .post, rules, #"{"name": "x", "conditions": [{"type": "calendar", "id": 999}], "severity": "high"}"#, auth: t.admin)
                #expect(bad.status == .badRequest && bad.body.contains("conditions.id"), "\(bad.body)")
                let created = try await call(client, .post, rules, database, auth: t.admin)
                #expect(created.status == .created, "\(created.body)")
                let ruleID = try #require(created.object["id"] as? String)
                #expect(try await call(client, .get, rules, auth: t.viewer).list.count == 1)

                try await send(client, t.key, [
                    #"{"error_type": "CardError", "message": "card declined", "tags": {"endpoint": "/checkout/pay"}}"#,
                    #"{"error_type": "OperationalError", "message": "could not connect to server"}"#,
                    #"{"error_type": "OperationalError", "message": "could not connect to the replica", "tags": {"severity": "low"}}"#,
                    #"{"error_type": "Oops", "message": "something odd", "severity": "warning"}"#,
                ])
                let issues = try await call(client, .get, "projects/default/default/issues/?query=", auth: t.viewer).list
                func issue(_ title: String) throws -> [String: Any] {
                    let found = issues.first { ($0["title"] as? String)?.hasPrefix(title) == true }
                    return try #require(found, "\(title) in \(issues)")
                }
                let payment = try issue("CardError")
                #expect(payment["severity"] as? String == "high" && payment["business_impact"] as? String == "revenue_blocking"
                        && payment["category"] as? String == "payment" && payment["classified_by"] as? String == "default:payment", "\(payment)")
                let byRule = issues.filter { ($0["title"] as? String)?.hasPrefix("OperationalError") == true }
                #expect(Set(byRule.compactMap { $0["severity"] as? String }) == ["high", "low"], "\(byRule)")
                #expect(byRule.allSatisfy { $0["classified_by"] as? String == "rule:\(ruleID)" && $0["business_impact"] as? String == "user_blocking" })
                let odd = try issue("Oops")
                #expect(odd["severity"] as? String == "medium" && odd["category"] as? String == "unknown" && odd["classified_by"] as? String == "level")

                // Similar issues: the other database error, not the card error.
                let server = try #require(byRule.first { ($0["title"] as? String)?.contains("server") == true }?["id"] as? String)
                let similar = try await call(client, .get, "issues/\(server)/similar/", auth: t.viewer)
                #expect(similar.status == .ok, "\(similar.body)")
                #expect(similar.list.first.map { ($0["title"] as? String)?.contains("replica") == true && ($0["score"] as? Double ?? 0) > 0.5 } == true, "\(similar.body)")
                #expect(!similar.body.contains("CardError"))
                #expect(try await call(client, .get, "issues/\(server)/similar/", auth: t.outsider).status == .notFound)

                // A dry run of one more rule lists what it would change, and changes nothing.
                let tried = try await call(client, .post, rules + "dry-run", #"{"rule": {"name": "Oddities", "conditions": [{"type": "message", "pattern": "odd"}], "severity": "critical", "category": "business_logic"}}"#, auth: t.viewer)
                #expect(tried.status == .ok, "\(tried.body)")
                #expect(tried.object["checked"] as? Int == 4)
                let changed = try #require(tried.object["changed"] as? [[String: Any]])
                #expect(changed.count == 1 && (changed.first?["proposed"] as? [String: Any])?["severity"] as? String == "critical", "\(changed)")
                #expect(try await call(client, .post, rules + "dry-run", #"{}"#, auth: t.viewer).status == .badRequest)

                // A person's override: checked, recorded, searchable, and kept by later dry runs.
                let oddID = try #require(odd["id"] as? String)
                #expect(try await call(client, .put, "issues/\(oddID)/", #"{"severity": "urgent"}"#, auth: t.member).status == .badRequest)
                let overridden = try await call(client, .put, "issues/\(oddID)/", #"{"severity": "critical", "business_impact": "revenue_blocking"}"#, auth: t.member)
                #expect(overridden.object["severity"] as? String == "critical" && overridden.object["classified_by"] as? String == "user", "\(overridden.body)")
                let found = try await call(client, .get, "projects/default/default/issues/?query=severity:critical%20impact:revenue_blocking", auth: t.viewer).list
                #expect(found.map { $0["id"] as? String } == [oddID], "\(found)")
                let notCritical = try await call(client, .get, "projects/default/default/issues/?query=!severity:critical", auth: t.viewer).list
                #expect(notCritical.count == 3)
                #expect(try await call(client, .get, "projects/default/default/issues/?query=severity:urgent", auth: t.viewer).status == .badRequest)
                let again = try await call(client, .post, rules + "dry-run", #"{"rules": []}"#, auth: t.viewer)
                let changedIDs = (again.object["changed"] as? [[String: Any]] ?? []).compactMap { ($0["issue"] as? [String: Any])?["id"] as? String }
                #expect(changedIDs.count == 2 && !changedIDs.contains(oddID), "\(again.body)")
                let activity = try await call(client, .get, "issues/\(oddID)/activity/", auth: t.viewer)
                #expect(activity.body.contains("set_classification"), "\(activity.body)")

                #expect(try await call(client, .delete, rules + "\(ruleID)/", auth: t.admin).status == .noContent)
                #expect(try await call(client, .get, rules, auth: t.viewer).list.isEmpty)
            }
        }
    }
}
