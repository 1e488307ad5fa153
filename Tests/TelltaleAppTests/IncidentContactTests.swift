import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import TelltaleApp
import TelltaleTestSupport

extension IncidentsAPITests {
    @Test("people's own contact methods get their escalations; public updates reach the status pages showing the incident's monitors",
          arguments: TestDatabase.allCases)
    func contactMethodsAndPublicUpdates(_ database: TestDatabase) async throws {
        let receiver = AlertReceiver()
        try await receiver.withServer(database) { client, tokens, _, port in
            let members = Self.array(try await client.api("organizations/default/members/", .get, tokens.admin).1)
            let member = try #require(members.first { ($0["email"] as? String) == "member@example.com" }?["id"] as? String)

            // A member adds a personal webhook: theirs alone, never among the organization's channels.
            let hook = #"{"type":"webhook","name":"My phone bridge","config":{"url":"http://127.0.0.1:\#(port)/mine","secret":"s3cret"}}"#
            let bad = try await client.api("organizations/default/contact-methods/", .post, tokens.member,
                                           #"{"type":"webhook","name":"x","config":{"url":"ftp://example.com"}}"#)
            #expect(bad.0 == .badRequest && bad.1.contains("config.url"), "\(bad.1)")
            let created = try await client.api("organizations/default/contact-methods/", .post, tokens.member, hook)
            #expect(created.0 == .created, "\(created.1)")
            #expect(!created.1.contains("s3cret"))
            let methodID = try #require(Self.json(created.1)["id"] as? String)
            #expect(Self.array(try await client.api("organizations/default/contact-methods/", .get, tokens.member).1).count == 1)
            #expect(Self.array(try await client.api("organizations/default/contact-methods/", .get, tokens.admin).1).isEmpty)
            #expect(!(try await client.api("organizations/default/channels/", .get, tokens.admin).1).contains("My phone bridge"))
            #expect(try await client.api("contact-methods/\(methodID)/", .delete, tokens.admin).0 == .notFound)
            let test = try await client.api("contact-methods/\(methodID)/test", .post, tokens.member)
            #expect(test.1.contains("delivered"), "\(test.1)")

            // A rule may not name someone's contact method as a channel.
            let rule = try await client.api("organizations/default/alert-rules/", .post, tokens.admin, #"""
                {"name":"x","conditions":[{"type":"new_issue"}],"actions":[{"type":"notify","channels":["\#(methodID)"]}]}
                """#)
            #expect(rule.0 == .badRequest, "\(rule.1)")

            // An escalation step naming the member reaches their webhook, with the one-click links.
            let policy = try await client.api("organizations/default/escalation-policies/", .post, tokens.admin,
                                              #"{"name":"Direct","steps":[{"delay_seconds":0,"targets":[{"type":"user","id":\#(member)}]}]}"#)
            let policyID = try #require(Self.json(policy.1)["id"] as? String)
            let monitor = Self.json(try await client.api("organizations/default/monitors/", .post, tokens.admin,
                                                          #"{"name":"Backup","type":"heartbeat","interval_seconds":3600,"grace_seconds":60}"#).1)
            let monitorID = try #require(monitor["id"] as? String)
            let page = Self.json(try await client.api("organizations/default/status-pages/", .post, tokens.admin,
                                                      #"{"slug":"shop","title":"Shop status","monitors":["\#(monitorID)"]}"#).1)
            let pageID = try #require(page["id"] as? String)
            let other = Self.json(try await client.api("organizations/default/status-pages/", .post, tokens.admin, #"{"slug":"blog","title":"Blog"}"#).1)
            let otherID = try #require(other["id"] as? String)

            let opened = try await client.api("organizations/default/incidents/", .post, tokens.member,
                                              #"{"title":"Backups are late","severity":"high","escalation_policy":\#(policyID),"monitors":[\#(monitorID)]}"#)
            #expect(opened.0 == .created, "\(opened.1)")
            let incidentID = try #require(Self.json(opened.1)["id"] as? String)
            let deadline = ContinuousClock.now + .seconds(10)
            while await receiver.requests(to: "/mine").count < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            let escalated = try #require(await receiver.requests(to: "/mine").last)
            #expect(escalated.body.contains("Backups are late") && escalated.body.contains("acknowledge_url"), "\(escalated.body)")

            // A private note stays inside; a public update and then the resolution appear on the page showing the monitor only.
            #expect(try await client.api("incidents/\(incidentID)/notes", .post, tokens.member, #"{"text":"Looking at the disk"}"#).0 == .created)
            #expect(try await client.api("incidents/\(incidentID)/notes", .post, tokens.member,
                                         #"{"text":"Backups are delayed; no data is lost.","public":true}"#).0 == .created)
            #expect(try await client.api("incidents/\(incidentID)/resolve", .post, tokens.member).0 == .ok)
            let notices = Self.array(try await client.api("status-pages/\(pageID)/notices/", .get, tokens.viewer).1)
            #expect(notices.compactMap { $0["body"] as? String }.sorted() == ["Backups are delayed; no data is lost.", "This incident has been resolved."],
                    "\(notices)")
            #expect(Set(notices.compactMap { $0["severity"] as? String }) == ["major", "resolved"])
            #expect(notices.allSatisfy { $0["title"] as? String == "Backups are late" })
            #expect(Self.array(try await client.api("status-pages/\(otherID)/notices/", .get, tokens.viewer).1).isEmpty)
            let publicPage = try await client.execute(uri: "/status/shop", method: .get) { String(buffer: $0.body) }
            #expect(publicPage.contains("Backups are delayed; no data is lost.") && !publicPage.contains("Looking at the disk"))

            #expect(try await client.api("contact-methods/\(methodID)/", .delete, tokens.member).0 == .noContent)
            #expect(Self.array(try await client.api("organizations/default/contact-methods/", .get, tokens.member).1).isEmpty)
        }
    }
}
