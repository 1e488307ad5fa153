import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing
@testable import TelltaleApp
import TelltaleCore
import TelltaleStore
import TelltaleTestSupport

/// `disk_space_low` rules: saved through the API, judged against the free space the watch
/// reads, recorded once per crossing as a detection addressed to the rule.
@Suite("Disk space watch")
struct DiskSpaceWatchTests {
    @Test("a crossing is recorded once, and again only after space came back")
    func crossings() async throws {
        try await TestEnvironment.with(.sqlite) { environment in
            let app = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger)
            let ruleID = try await app.test(.router) { client in
                let tokens = try await MonitorsAPITests.tokens(environment)
                let channel = try await client.api("organizations/default/channels/", .post, tokens.admin,
                                                   #"{"type":"webhook","name":"Ops","config":{"url":"http://127.0.0.1:9/hook"}}"#)
                let channelID = try #require(MonitorsAPITests.json(channel.1)["id"] as? String)
                let refused = try await client.api("organizations/default/alert-rules/", .post, tokens.admin,
                                                   #"{"name":"Disk","conditions":[{"type":"disk_space_low"}],"actions":[{"channels":["\#(channelID)"]}]}"#)
                #expect(refused.0 == .badRequest && refused.1.contains("free_bytes"), "\(refused.1)")
                let rule = try await client.api("organizations/default/alert-rules/", .post, tokens.admin,
                                                #"{"name":"Disk","conditions":[{"type":"disk_space_low","free_bytes":1073741824}],"actions":[{"channels":["\#(channelID)"]}]}"#)
                #expect(rule.0 == .created && rule.1.contains(#""free_bytes":1073741824"#), "\(rule.1)")
                return try #require(MonitorsAPITests.json(rule.1)["id"] as? String)
            }
            let free = Mutex<Int64>(500 << 20)
            let store = try await environment.openStore()
            try await store.whileRunning { store in
                let watch = DiskSpaceWatch(repositories: store.repositories, freeBytes: { free.withLock { $0 } }, now: Date.init, logger: TestDatabase.logger)
                var standing = StandingCrossings()
                let first = try await watch.pass(now: Date(), standing: &standing)
                #expect(first.map(\.ruleID.description) == [ruleID])
                #expect(first.first?.reason.contains("500 MB") == true, "\(first)")
                #expect(try await watch.pass(now: Date(), standing: &standing).isEmpty, "a standing crossing is recorded once")
                free.withLock { $0 = 2 << 30 }
                #expect(try await watch.pass(now: Date(), standing: &standing).isEmpty)
                free.withLock { $0 = 100 << 20 }
                #expect(try await watch.pass(now: Date(), standing: &standing).count == 1, "crossed again after space came back")
                let detections = try await store.repositories.alertSignals.detectionSignals(after: 0, limit: 10).map(\.signal)
                #expect(detections.filter { $0.kind == .threshold && $0.detectionID.description == ruleID && $0.title == "Disk space low" }.count == 2, "\(detections)")
            }
        }
    }
}
