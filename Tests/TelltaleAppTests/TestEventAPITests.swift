import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import TelltaleApp
import TelltaleCore
import TelltaleTestSupport

/// `POST /api/0/projects/{org}/{project}/test-event/`: a realistic error through the real
/// ingest path, its issue classified as asked, and the simulated resolution.
@Suite("Test event API")
struct TestEventAPITests {
    struct Answer: Decodable {
        var event_id: String
        var issue_id: String
        var issue_url: String
        var resolves_in_seconds: Int?
    }

    @Test("a test event lands in one issue, classified as asked, and the simulated resolution resolves it", arguments: TestDatabase.allCases)
    func lifecycle(database: TestDatabase) async throws {
        try await TestEnvironment.with(database) { environment in
            let app = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                let (member, viewer, project) = try await environment.withAccounts { accounts, repositories in
                    let project = try #require(try await repositories.projects.projects(organizationID: nil).first)
                    func token(_ email: String, _ role: Role) async throws -> String {
                        let user = try await accounts.createUser(email: email, name: nil, password: "password123", isSystemAdmin: false)
                        try await repositories.organizations.setMembership(Membership(organizationID: project.organizationID, userID: user.id, role: role))
                        return try await accounts.issueToken(userID: user.id, name: "t", scopes: [.eventWrite, .eventRead]).secret
                    }
                    return (try await token("member@example.com", .member), try await token("viewer@example.com", .viewer), project)
                }
                let path = "projects/default/default/test-event/"

                let (status, body) = try await client.api(path, .post, member, #"{"severity":"high","category":"payment","business_impact":"revenue_blocking"}"#)
                #expect(status == .created, "\(body)")
                let first = try JSONDecoder().decode(Answer.self, from: Data(body.utf8))
                #expect(first.issue_url.hasSuffix("/organizations/default/issues/\(first.issue_id)/"))
                #expect(first.resolves_in_seconds == nil)

                // Stored as an SDK would have sent it: stack trace, tags, user and breadcrumbs.
                let event = try await client.api("projects/default/default/events/\(first.event_id)/", .get, member).1
                for part in ["PaymentGatewayTimeout", "shop/payments.py", "telltale.test", "test-user-42", "breadcrumbs", "payments.example"] {
                    #expect(event.contains(part), "\(part) missing from \(event.prefix(300))")
                }
                let issue = try await client.api("issues/\(first.issue_id)/", .get, member).1
                #expect(issue.contains(#""severity":"high""#) && issue.contains(#""category":"payment""#) && issue.contains(#""business_impact":"revenue_blocking""#), "\(issue)")

                // Again, with the lifecycle: the same issue, resolved by the server once the (here immediate) delay ends.
                let again = try JSONDecoder().decode(Answer.self, from: Data(try await client.api(path, .post, member, #"{"simulate_resolution_seconds":0}"#).1.utf8))
                #expect(again.issue_id == first.issue_id && again.event_id != first.event_id && again.resolves_in_seconds == 0)
                var resolved = false
                for _ in 0..<200 where !resolved {
                    resolved = try await client.api("issues/\(first.issue_id)/", .get, member).1.contains(#""status":"resolved""#)
                    if !resolved { await Task.yield(); try await Task.sleep(for: .milliseconds(10)) }
                }
                #expect(resolved, "the simulated resolution never resolved the issue")

                // Precise refusals, and nothing sent for them.
                let refusals: [(String, String, HTTPResponse.Status, String)] = [
                    (member, #"{"severity":"urgent"}"#, .badRequest, "severity must be one of"),
                    (member, #"{"category":"Not Valid"}"#, .badRequest, "category"),
                    (member, #"{"business_impact":"huge"}"#, .badRequest, "business_impact"),
                    (member, #"{"simulate_resolution_seconds":5000}"#, .badRequest, "simulate_resolution_seconds"),
                    (member, "{not json", .badRequest, "invalid test event request"),
                    (viewer, "{}", .forbidden, ""),
                    ("not-a-token", "{}", .unauthorized, ""),
                ]
                for (token, input, expected, text) in refusals {
                    let (status, body) = try await client.api(path, .post, token, input)
                    #expect(status == expected && (text.isEmpty || body.contains(text)), "\(input): \(status) \(body)")
                }
                #expect(try await client.api("projects/default/nope/test-event/", .post, member, "{}").0 == .notFound)

                // Sampled away after acceptance, as any SDK's event would be: said, not a server error.
                // (Through a new key: grants, settings included, are cached per key for a few seconds.)
                try await environment.withAccounts { accounts, repositories in
                    var settings = project.settings
                    settings.sampleRate = 0
                    try await repositories.projects.updateSettings(settings, for: project.id)
                    for key in try await repositories.projects.keys(projectID: project.id) {
                        try await repositories.projects.updateKey(id: key.id, isActive: false, rateLimitPerMinute: nil)
                    }
                    _ = try await accounts.createKey(projectID: project.id, label: "fresh")
                }
                let sampled = try await client.api(path, .post, member, "{}")
                #expect(sampled.0 == .conflict && sampled.1.contains("sample rate"), "\(sampled)")
                try await environment.withAccounts { _, repositories in try await repositories.projects.updateSettings(project.settings, for: project.id) }

                // Without an active client key there is nothing to send with.
                try await environment.withAccounts { _, repositories in
                    for key in try await repositories.projects.keys(projectID: project.id) {
                        try await repositories.projects.updateKey(id: key.id, isActive: false, rateLimitPerMinute: nil)
                    }
                }
                let keyless = try await client.api(path, .post, member, "{}")
                #expect(keyless.0 == .conflict && keyless.1.contains("no active client key"), "\(keyless)")
                let events = try await client.api("projects/default/default/issues/\(first.issue_id)/events/", .get, member).1
                #expect(events.components(separatedBy: "\"event_id\"").count - 1 <= 2, "only the two accepted test events are stored")
            }
        }
    }
}
