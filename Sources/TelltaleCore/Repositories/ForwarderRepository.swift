public import Foundation

/// Forwarders, and their share of the notification queue.
public protocol ForwarderRepository: Sendable {
    /// Stores a new forwarder; it sends events stored from now on.
    func create(organizationID: OrganizationID, projectID: ProjectID, name: String, config: ForwarderConfig, filters: ForwarderFilters,
                enabled: Bool, now: Date) async throws -> Forwarder
    func update(_ forwarder: Forwarder) async throws
    /// Deletes it with its queued batches and their log.
    func delete(id: ForwarderID) async throws
    func forwarder(id: ForwarderID) async throws -> Forwarder?
    func forwarders(projectID: ProjectID) async throws -> [Forwarder]
    func enabledForwarders() async throws -> [Forwarder]

    /// The forwarding pass's position: the last event row it has seen.
    func forwardCursor() async throws -> Int64
    /// The newest event row (where a pass with nothing to do moves its cursor).
    func latestEventRow() async throws -> Int64
    /// Events after `position`, oldest first.
    func forwardCandidates(after position: Int64, limit: Int) async throws -> [ForwardCandidate]
    /// Queues the batches and moves the cursor from `from` to `to` in one transaction; false
    /// when another node moved it first (nothing is queued then).
    func enqueue(_ batches: [ForwardBatch], cursorFrom from: Int64, to: Int64, now: Date) async throws -> Bool

    /// Claims due batches under a lease, like notifications.
    func claimForwards(now: Date, limit: Int, owner: String, leaseUntil: Date) async throws -> [QueuedForward]
    func nextForwardAt() async throws -> Date?
    /// The events of a batch that still exist, in row order.
    func forwardedEvents(rows: [Int64]) async throws -> [ForwardedEvent]
    /// The forwarder's newest batches, newest first.
    func deliveries(forwarderID: ForwarderID, limit: Int) async throws -> [ForwardDelivery]
}
