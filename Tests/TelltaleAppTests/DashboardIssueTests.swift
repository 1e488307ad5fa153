import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import TelltaleApp
import TelltaleCore
import TelltaleTestSupport

/// The issue page beyond triage: links to filtered lists, all events and affected users,
/// Newer and Older, merge, unmerge and delete, and no `null` or `{}` printed for empty values.
extension DashboardRouteTests {
    @Test("issue page: links, event and user lists, paging both ways, merge, unmerge, delete", arguments: TestDatabase.allCases)
    func issuePage(database: TestDatabase) async throws {
        try await TestEnvironment.with(database) { environment in
            let app = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                let key = try await environment.defaultKey()
                func store(_ json: String) async throws {
                    let status = try await client.execute(uri: "/api/1/store/", method: .post,
                                                          headers: [HTTPField.Name("X-Sentry-Auth")!: "Sentry sentry_key=\(key), sentry_version=7", .contentType: "application/json"],
                                                          body: ByteBuffer(string: json)) { $0.status }
                    #expect(status == .ok)
                }
                for (index, time) in [1_700_000_000, 1_700_000_100, 1_700_000_200].enumerated() {
                    try await store(#"{"message":"disk full","level":"error","timestamp":\#(time),"release":"shop@1.0+b\#(index)","user":{"email":"u\#(index)@example.com"},"extra":{"empty":null,"nothing":{}},"breadcrumbs":[{"message":"crumb","data":{}}]}"#)
                }
                try await store(#"{"message":"other failure","level":"error","fingerprint":["other"]}"#)
                let admin = try #require(try await signIn(client, "admin@example.com", "correct horse battery").cookie)
                let (diskID, otherID) = try await environment.withAccounts { _, repositories in
                    let issues = try await repositories.issues.search(IssueSearch(projectIDs: [ProjectID(1)], query: IssueQuery(filters: []), sort: .freq, user: UserID(1))).issues
                    return (issues[0].id, issues[1].id)
                }
                let base = "/organizations/default/issues/\(diskID)/"
                let page = try await get(client, base, cookie: admin)
                #expect(page.status == .ok)
                #expect(page.body.contains("/organizations/default/issues/?query=release:%22shop@1.0%2Bb2%22"), "release link")
                #expect(page.body.contains("query=user.email:%22u2@example.com%22"), "user link")
                let filtered = try await get(client, "/organizations/default/issues/?query=release:%22shop@1.0%2Bb2%22", cookie: admin)
                #expect(filtered.body.contains("disk full") && !filtered.body.contains("other failure"))
                #expect(!page.body.contains(">null<") && !page.body.contains(">{}<"))
                #expect(page.body.contains("All events") && !page.body.contains(">Newer<"))

                // Older, then Newer back to the latest.
                let olderHref = try #require(page.body.range(of: #"href="([^"]*cursor=[^"]*)" rel="next""#, options: .regularExpression)
                    .map { String(page.body[$0]).dropFirst(6).prefix { $0 != "\"" } }).replacingOccurrences(of: "&amp;", with: "&")
                let older = try await get(client, String(olderHref), cookie: admin)
                #expect(older.body.contains("u1@example.com") && older.body.contains(">Newer<"))

                let events = try await get(client, base + "events/", cookie: admin)
                #expect(events.status == .ok && events.body.components(separatedBy: "<code>").count - 1 == 3)
                let users = try await get(client, base + "users/", cookie: admin)
                #expect(users.status == .ok && users.body.contains("u0@example.com") && users.body.contains("user.email"))

                // Merge from the list, unmerge from the issue page, delete.
                let csrf = try #require(page.csrf)
                let merged = try await post(client, "/organizations/default/issues/bulk", [("_csrf", csrf), ("action", "merge"), ("id", "\(diskID)"), ("id", "\(otherID)")], cookie: admin)
                #expect(merged.status == .seeOther && merged.headers[.location] == base)
                let hashes = try await environment.withAccounts { _, repositories in try await repositories.issues.hashes(issueID: diskID) }
                #expect(hashes.count >= 2)
                let mergedPage = try await get(client, base, cookie: admin)
                #expect(mergedPage.body.contains(">Unmerge<"))
                let otherHash = try await environment.withAccounts { _, repositories in try await repositories.issues.hashes(issueID: otherID) }
                let split = try await post(client, base + "unmerge", [("_csrf", csrf)] + (otherHash.isEmpty ? hashes.suffix(1) : otherHash).map { ("hash", $0) }, cookie: admin)
                #expect(split.status == .seeOther && split.headers[.location] != base)
                let deleted = try await post(client, base + "delete", [("_csrf", csrf)], cookie: admin)
                #expect(deleted.status == .seeOther)
                #expect(try await environment.withAccounts { _, repositories in try await repositories.issues.issue(id: diskID)?.id } == nil)
            }
        }
    }
}
