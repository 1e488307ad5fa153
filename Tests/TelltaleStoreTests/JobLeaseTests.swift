import Foundation
import Testing
import TelltaleCore
import TelltaleStore
import TelltaleTestSupport

/// One node at a time holds a job's lease; another takes it over once it expires.
@Suite("Job leases")
struct JobLeaseTests {
    @Test("a lease is held by one node, renewed by it, and taken over after it expires", arguments: TestDatabase.allCases)
    func leases(database: TestDatabase) async throws {
        try await database.withStore { store in
            let leases = store.repositories.leases
            let now = Date(timeIntervalSince1970: 1_780_000_000)
            func holds(_ job: String, _ holder: String, at seconds: TimeInterval) async throws -> Bool {
                try await leases.acquire(job, holder: holder, now: now.addingTimeInterval(seconds), ttl: 30)
            }
            let a0 = try await holds("detectors", "a", at: 0), b10 = try await holds("detectors", "b", at: 10)
            let a20 = try await holds("detectors", "a", at: 20), b45 = try await holds("detectors", "b", at: 45)
            #expect(a0 && !b10 && a20 && !b45)
            // a stopped renewing at 20 s: its lease ran out at 50 s.
            let b51 = try await holds("detectors", "b", at: 51), a52 = try await holds("detectors", "a", at: 52)
            #expect(b51 && !a52)
            #expect(try await holds("retention", "a", at: 52))
        }
    }
}
