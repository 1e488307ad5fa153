import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import TelltaleApp
import TelltaleCore
import TelltaleTestSupport

@Suite("Retention")
struct RetentionTests {
    @Test("old events and then empty issues go, in batches; a dry run only counts", arguments: TestDatabase.allCases)
    func purge(database: TestDatabase) async throws {
        try await TestEnvironment.with(database) { environment in
            let app = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                let key = try await environment.defaultKey()
                let errors = (0..<5).map { #"{"error_type":"E\#($0 % 2)","message":"m"}"# }.joined(separator: ",")
                let reply = try await client.execute(uri: "/api/0/projects/default/default/errors/?sentry_key=\(key)", method: .post,
                                                     headers: [.contentType: "application/json"], body: ByteBuffer(string: "[\(errors)]")) { String(buffer: $0.body) }
                #expect(reply.contains(#""accepted":5"#))
                let events = try await client.execute(uri: "/api/0/projects/default/default/business-events/?sentry_key=\(key)", method: .post,
                                                      headers: [.contentType: "application/json"],
                                                      body: ByteBuffer(string: #"[{"name": "signup", "user_id": "u1"}, {"name": "booking", "user_id": "u1"}]"#)) { $0.status }
                #expect(events == .ok)

                try await environment.withAccounts { _, repositories in
                    let purger = RetentionPurger(projects: repositories.projects, retention: repositories.retention, batchSize: 2, pause: .zero)
                    // Within retention: nothing to do.
                    #expect(try await purger.run(now: Date(), dryRun: false).map(\.counts.total) == [0])
                    let later = Date().addingTimeInterval(31 * 86_400)
                    let planned = try #require(try await purger.run(now: later, dryRun: true).first?.counts)
                    #expect(planned.rows["events"] == 5)
                    #expect(planned.rows["issues"] == 2 && planned.rows["business_events"] == 2)
                    let done = try #require(try await purger.run(now: later, dryRun: false).first?.counts)
                    #expect(done.rows["events"] == 5)
                    #expect(done.rows["issues"] == 2 && done.rows["business_events"] == 2)
                    let project = try #require(try await repositories.projects.projects(organizationID: nil).first)
                    let left = try await repositories.issues.search(IssueSearch(projectIDs: [project.id], query: IssueQuery(filters: []), user: UserID(1)))
                    #expect(left.issues.isEmpty)
                }
            }
        }
    }
}
