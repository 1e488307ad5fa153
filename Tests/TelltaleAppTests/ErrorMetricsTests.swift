import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import TelltaleApp
import TelltaleCore
import TelltaleTestSupport

@Suite("Error metrics on /metrics")
struct ErrorMetricsTests {
    /// The value of one series in Prometheus text, by its exact label set.
    static func value(_ text: String, _ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    @Test("events by level, severity and category, errors by endpoint, open issues, resolution time and error rate follow real traffic",
          arguments: TestDatabase.allCases)
    func series(_ database: TestDatabase) async throws {
        try await TestEnvironment.with(database) { environment in
            let app = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                let tokens = try await MonitorsAPITests.tokens(environment)
                let setup = try await IngestRouteTests().setUp(environment)
                func scrape() async throws -> String {
                    try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
                }
                _ = try await scrape()  // the first pass starts counting from here
                let now = Date().timeIntervalSince1970
                var items: [(type: String, payload: String)] = []
                for index in 0..<3 {
                    items.append(("event", #"{"event_id":"\#(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())","level":"error","platform":"python","transaction":"/checkout","tags":{"category":"payment"},"exception":{"values":[{"type":"PaymentError","value":"card \#(index) declined"}]}}"#))
                }
                items.append(("event", #"{"event_id":"\#(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())","level":"warning","platform":"python","transaction":"/search","exception":{"values":[{"type":"SlowQuery","value":"slow"}]}}"#))
                for index in 0..<4 {
                    items.append(("transaction", IssuesAPITests.transaction(url: "/checkout", ms: 100, end: now - Double(index))))
                }
                for item in items {
                    let status = try await IssuesAPITests().postEnvelope(client, setup.key, IssuesAPITests.envelope([item]))
                    #expect(status == .ok)
                }
                // Resolve the payment issue, so its resolution time is observed.
                let issues = try await client.execute(uri: "/api/0/projects/default/default/issues/?query=PaymentError", method: .get,
                                                      headers: [.authorization: "Bearer \(tokens.admin)"]) { String(buffer: $0.body) }
                let list = try #require(try JSONSerialization.jsonObject(with: Data(issues.utf8)) as? [[String: Any]])
                let payment = try #require(list.first?["id"] as? String)
                let severity = try #require(list.first?["severity"] as? String)
                let category = try #require(list.first?["category"] as? String)

                var text = ""
                let deadline = ContinuousClock.now + .seconds(10)
                while ContinuousClock.now < deadline {
                    text = try await scrape()
                    if Self.value(text, #"telltale_events_total{project="default",level="error",severity="\#(severity)",category="\#(category)"}"#) == 3 { break }
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(Self.value(text, #"telltale_events_total{project="default",level="error",severity="\#(severity)",category="\#(category)"}"#) == 3, "\(text)")
                #expect(text.contains(#"telltale_events_total{project="default",level="warning""#))
                #expect(Self.value(text, #"telltale_errors_by_endpoint_total{project="default",endpoint="/checkout"}"#) == 3)
                #expect(Self.value(text, #"telltale_issues_open{project="default",severity="\#(severity)"}"#) ?? 0 >= 1)
                // 4 errors over 4 transactions in the last 5 minutes.
                #expect(Self.value(text, #"telltale_error_rate{project="default"}"#) == 1)

                let resolved = try await client.execute(uri: "/api/0/issues/\(payment)/", method: .put,
                                                        headers: [.authorization: "Bearer \(tokens.admin)", .contentType: "application/json"],
                                                        body: ByteBuffer(string: #"{"status":"resolved"}"#)) { $0.status }
                #expect(resolved == .ok)
                // Counted by the next metrics pass over the committed resolution: waited for like the events above.
                var after = try await scrape()
                let resolvedBy = ContinuousClock.now + .seconds(10)
                while Self.value(after, #"telltale_issue_resolution_seconds_count{severity="\#(severity)"}"#) == nil, ContinuousClock.now < resolvedBy {
                    try await Task.sleep(for: .milliseconds(50))
                    after = try await scrape()
                }
                #expect(Self.value(after, #"telltale_issue_resolution_seconds_count{severity="\#(severity)"}"#) == 1, "\(after)")
                #expect(Self.value(after, #"telltale_issue_resolution_seconds_bucket{severity="\#(severity)",le="60.0"}"#) == 1)
                // The resolved issue left the open count.
                let openBefore = Self.value(text, #"telltale_issues_open{project="default",severity="\#(severity)"}"#) ?? 0
                #expect(Self.value(after, #"telltale_issues_open{project="default",severity="\#(severity)"}"#) == openBefore - 1)
                // Counting again adds nothing: each event is counted once.
                #expect(Self.value(after, #"telltale_events_total{project="default",level="error",severity="\#(severity)",category="\#(category)"}"#) == 3)
            }
        }
    }
}
