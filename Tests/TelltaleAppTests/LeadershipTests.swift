import Foundation
import Synchronization
import Testing
@testable import TelltaleApp
import TelltaleCore
import TelltaleStore
import TelltaleTestSupport

@Suite("Job leadership across nodes")
struct LeadershipTests {
    @Test("one node leads each job; another takes over within the term once it stops renewing, never while it may still act; resigning hands over at once",
          arguments: TestDatabase.allCases)
    func takeover(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            let clock = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
            let now: @Sendable () -> Date = { clock.withLock { $0 } }
            func advance(_ seconds: TimeInterval) { clock.withLock { $0 += seconds } }
            let a = Leadership(leases: store.repositories.leases, node: "node-a", logger: TestDatabase.logger, now: now)
            let b = Leadership(leases: store.repositories.leases, node: "node-b", logger: TestDatabase.logger, now: now)
            let all = LeaderJob.allCases

            await a.renew()
            await b.renew()
            #expect(a.led == all && b.led.isEmpty)
            advance(2)
            await a.renew()
            await b.renew()
            #expect(a.led == all && b.led.isEmpty)

            // Node a dies after that renewal (t = 2 s): it would stop acting at 7 s, its lease ends at 9 s.
            advance(5)
            #expect(a.led.isEmpty)
            await b.renew()
            #expect(b.led.isEmpty)
            advance(2.5)  // 9.5 s: 7.5 s after a's last renewal
            await b.renew()
            #expect(b.led == all)

            // a comes back: b holds every lease, so a gets none.
            await a.renew()
            #expect(a.led.isEmpty && b.led == all)
            // b stops gracefully: a takes over at its next heartbeat, without waiting for the term.
            await b.resign()
            #expect(b.led.isEmpty)
            await a.renew()
            #expect(a.led == all)
        }
    }

    @Test("never two leaders: nodes renewing, stalling and returning at random moments on a shared clock", arguments: TestDatabase.allCases)
    func neverTwo(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            let clock = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
            let now: @Sendable () -> Date = { clock.withLock { $0 } }
            let nodes = (0..<3).map { Leadership(leases: store.repositories.leases, node: "node-\($0)", logger: TestDatabase.logger, now: now) }
            // A fixed linear congruential sequence: the same moments on every run.
            var state: UInt64 = 42
            func next() -> UInt64 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return state >> 33
            }
            var ledAtSomePoint = Set<Int>()
            for _ in 0..<300 {
                clock.withLock { $0 += Double(next() % 3_000) / 1_000 }
                let node = Int(next() % 3)
                // A stalled node skips its heartbeat; the others renew.
                if next() % 4 != 0 { await nodes[node].renew() }
                for job in LeaderJob.allCases {
                    let leaders = nodes.indices.filter { nodes[$0].leads(job) }
                    #expect(leaders.count <= 1, "job \(job.rawValue) led by \(leaders)")
                    ledAtSomePoint.formUnion(leaders)
                }
            }
            // Leadership moved between nodes as they stalled.
            #expect(ledAtSomePoint.count >= 2)
        }
    }

    @Test("on SQLite the one process leads everything without a lease")
    func singleProcess() {
        let only = Leadership(leases: nil, logger: TestDatabase.logger)
        #expect(only.led == LeaderJob.allCases)
    }
}
