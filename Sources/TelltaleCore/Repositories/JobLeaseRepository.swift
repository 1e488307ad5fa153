public import Foundation

/// Who runs a background job that must run on one node at a time: a lease per job name,
/// renewed by its holder and taken over by another node once it expires.
public protocol JobLeaseRepository: Sendable {
    /// Takes or renews the lease on `job` for `holder` until `now + ttl`; whether `holder` has it.
    func acquire(_ job: String, holder: String, now: Date, ttl: TimeInterval) async throws -> Bool
    /// Gives up `holder`'s leases at once (a node stopping), so another node takes over without waiting.
    func release(holder: String) async throws
}
