import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SQLKit
import Testing
import TelltaleApp
import TelltaleCore
import TelltaleStore
import TelltaleTestSupport

/// Nothing vanishes after a 200: every item that is not stored is an outcome with a reason,
/// and a `/store/` event that cannot be stored is answered 400 naming why.
extension IngestRouteTests {
    func outcomes(_ environment: TestEnvironment) async throws -> [String] {
        let store = try await environment.openStore()
        return try await store.whileRunning { store in
            try await store.backend.read { db in
                try await db.raw("SELECT outcome, reason, quantity FROM outcomes ORDER BY id").all().map {
                    "\(try $0.decode(column: "outcome", as: String.self)) \(try $0.decode(column: "quantity", as: Int.self)) \(try $0.decode(column: "reason", as: String.self))"
                }
            }
        }
    }

    @Test("an envelope with several events stores the first and counts the rest", arguments: TestDatabase.allCases)
    func severalEvents(database: TestDatabase) async throws {
        try await TestEnvironment.with(database) { environment in
            let app = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                let setup = try await setUp(environment)
                var envelope = #"{"event_id":"eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"}"# + "\n"
                for index in 0..<3 {
                    envelope += #"{"type":"event"}"# + "\n" + #"{"message":"event \#(index)","level":"error"}"# + "\n"
                }
                let (status, body, _) = try await post(client, project: setup.projectID, key: setup.key, body: Array(envelope.utf8))
                #expect(status == .ok)
                #expect(body.contains("eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"))
            }
            #expect(try await count(environment, "events") == 1)
            let recorded = try await outcomes(environment)
            #expect(recorded.filter { $0.hasPrefix("invalid 1 duplicate_item") }.count == 2, "\(recorded)")
        }
    }

    @Test("store endpoint: an event that cannot be stored is a 400 naming why, and counted")
    func storeRefusals() async throws {
        try await TestEnvironment.with(.sqlite) { environment in
            let app = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                let setup = try await setUp(environment)
                let browser = [("Content-Type", "application/json"), ("X-Sentry-Auth", "Sentry sentry_key=\(setup.key), sentry_version=7, sentry_client=sentry.javascript.browser/8.0.0")]
                for (payload, reason) in [
                    (#"{"message":"nan","extra":{"x":NaN}}"#, "not valid JSON"),
                    (#"{"message":"big","extra":{"x":1"# + String(repeating: "9", count: 5_000) + "}}", "invalid number (5001 characters)"),
                ] {
                    let (status, body, _) = try await post(client, project: setup.projectID, key: nil, body: Array(payload.utf8), endpoint: "store", extraHeaders: browser)
                    #expect(status == .badRequest, "\(body)")
                    #expect(body.contains("event was not stored") && body.contains(reason), "\(body)")
                    #expect(!body.contains(#""id""#))
                }
            }
            #expect(try await count(environment, "events") == 0)
            #expect(try await outcomes(environment).filter { $0.hasPrefix("invalid 1 event payload is not valid JSON") }.count == 2)
        }
    }
}
