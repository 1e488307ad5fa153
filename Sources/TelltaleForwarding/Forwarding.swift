import AsyncHTTPClient
public import Foundation
public import Logging
public import Metrics
import NIOCore
import NIOHTTP1
import SentryProtocol
public import ServiceLifecycle
import TelltaleAlerting
public import TelltaleCore
import TelltaleIngest

/// Sends stored events on to other services. Two steps, both off the ingest path: a pass
/// follows the events table by row id and queues batches for each forwarder whose filters
/// admit them (moving a shared cursor with compare-and-set, so with several nodes each event
/// is queued once); delivery claims due batches under a lease, renders them in the service's
/// format and records each attempt with the notification queue's retry policy.
public final class Forwarding: Service, Sendable {
    let forwarders: any ForwarderRepository
    let alerts: any AlertRepository
    let client: HTTPClient
    let policy: DeliveryPolicy
    let publicURL: String
    let logger: Logger
    let factory: any MetricsFactory
    let now: @Sendable () -> Date
    let owner = "node-" + UUID().uuidString.prefix(8).lowercased()
    let timeout: TimeAmount
    let concurrency: Int
    let wakeup = Wakeup()
    let background: BackgroundThread
    /// Events read per pass.
    let passSize = 1000
    /// Whether ingestion is busy: forwarding then sends only events older than `maxDelay`,
    /// so a burst is stored first and forwarded once it eases (or once they reach that age).
    let ingestBusy: @Sendable () -> Bool
    let maxDelay: TimeInterval

    public init(repositories: Repositories, publicURL: String, policy: DeliveryPolicy = DeliveryPolicy(), logger: Logger, metrics: any MetricsFactory,
                timeoutSeconds: Int64 = 10, concurrency: Int = 8, maxDelaySeconds: Int = 30, ingestBusy: @escaping @Sendable () -> Bool = { false },
                now: @escaping @Sendable () -> Date = Date.init) {
        self.ingestBusy = ingestBusy
        maxDelay = TimeInterval(maxDelaySeconds)
        forwarders = repositories.forwarders
        alerts = repositories.alerts
        self.policy = policy
        self.publicURL = publicURL
        self.logger = logger
        factory = metrics
        self.now = now
        timeout = .seconds(timeoutSeconds)
        self.concurrency = concurrency
        let background = BackgroundThread()
        self.background = background
        client = ReceiverPost.makeClient(eventLoopGroup: background.loop)
    }

    /// Asks for a pass now (a forwarder was created or changed).
    public func notify() { wakeup.signal() }

    public func shutdown() async {
        try? await client.shutdown()
        await background.shutdown()
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                do {
                    // Forwarding's work slows ingestion even at idle priority (the cores share
                    // caches and memory): during a burst it waits, up to `maxDelay`.
                    let cutoff = maxDelay > 0 && ingestBusy() ? now().addingTimeInterval(-maxDelay) : nil
                    let queued = try await queueNew(storedBy: cutoff)
                    var delivered = 0
                    if let next = try await forwarders.nextForwardAt(), next <= now() { delivered = try await deliverDue() }
                    // Straight on only with a backlog; otherwise a pass a second, so each pass
                    // carries a second of events and its fixed cost (a few short transactions)
                    // is paid once a second rather than once per delivery.
                    if queued == passSize || delivered == concurrency { continue }
                    await wakeup.wait(upTo: .seconds(1))
                } catch {
                    logger.error("Forwarding pass failed", metadata: ["error": "\(error)"])
                    await wakeup.wait(upTo: .seconds(1))
                }
            }
        } onGracefulShutdown: {
            self.wakeup.signal()
        }
        await shutdown()
    }

    /// Queues batches for the events stored since the last pass (only those stored by
    /// `cutoff`, when given); the number of events taken.
    @discardableResult
    public func queueNew(storedBy cutoff: Date? = nil) async throws -> Int {
        // Read before the forwarders: one created after this read starts after a later row,
        // so moving the cursor here never skips an event a forwarder should send.
        let latest = try await forwarders.latestEventRow()
        let enabled = try await forwarders.enabledForwarders()
        let from = try await forwarders.forwardCursor()
        guard !enabled.isEmpty else {
            // Nothing to send: keep the cursor at the newest event, so a later forwarder starts there.
            if latest > from { _ = try await forwarders.enqueue([], cursorFrom: from, to: latest, now: now()) }
            return 0
        }
        // Every project's events, so the cursor moves only over rows this pass has seen.
        let candidates = ForwardPlanner.due(try await forwarders.forwardCandidates(after: from, limit: passSize), storedBy: cutoff)
        guard let to = candidates.last?.rowID else { return 0 }
        let batches = ForwardPlanner.batches(Array(candidates), forwarders: enabled)
        if try await forwarders.enqueue(batches, cursorFrom: from, to: to, now: now()), !batches.isEmpty {
            Counter(label: "telltale.forwarding.queued.events", factory: factory).increment(by: batches.reduce(0) { $0 + $1.eventRows.count })
        }
        return candidates.count
    }

    /// Sends every due batch; the number of batches attempted. The claimed batches' events
    /// are read and parsed once, however many forwarders send them.
    @discardableResult
    public func deliverDue() async throws -> Int {
        let claimed = try await forwarders.claimForwards(now: now(), limit: concurrency, owner: owner,
                                                         leaseUntil: now().addingTimeInterval(Double(timeout.nanoseconds) / 1e9 * 3 + 5))
        guard !claimed.isEmpty else { return 0 }
        var attempts: [DeliveryAttempt] = []
        do {
            let items = try await self.items(rows: Set(claimed.flatMap(\.eventRows)))
            attempts = await withTaskGroup(of: DeliveryAttempt.self) { group in
                for batch in claimed { group.addTask { await self.attempt(batch, items: batch.eventRows.compactMap { items[$0] }) } }
                return await group.reduce(into: []) { $0.append($1) }
            }
        } catch {
            attempts = claimed.map { decided($0, started: now(), status: nil, error: "could not read the events: \(error)", retryAfter: nil, milliseconds: 0) }
        }
        do {
            // The group's attempts in one transaction: one commit beside ingestion's, not one per batch.
            try await alerts.recordAttempts(attempts)
        } catch {
            // The leases run out and the batches are tried again: sent twice rather than lost.
            logger.error("Forward attempts not recorded", metadata: ["batches": "\(claimed.map(\.id))", "error": "\(error)"])
        }
        return claimed.count
    }

    func attempt(_ batch: QueuedForward, items: [ForwardItem]) async -> DeliveryAttempt {
        let started = now()
        let clock = ContinuousClock.now
        var status: Int?
        var error: String?
        var retryAfter: TimeInterval?
        // Events deleted since they were queued (retention, a deleted issue) are not sent.
        let requests = items.isEmpty ? [] : (try? await background.run { ForwardRenderer.requests(batch.forwarder, items, now: started) }) ?? []
        if requests.isEmpty {
            status = 204
        } else {
            for (index, request) in requests.enumerated() {
                (status, error, retryAfter) = await send(request, delivery: requests.count == 1 ? batch.id.description : "\(batch.id)-\(index + 1)")
                if status.map({ !(200..<300).contains($0) }) ?? true { break }
            }
        }
        return decided(batch, started: started, status: status, error: error, retryAfter: retryAfter, milliseconds: NotificationDelivery.milliseconds(since: clock))
    }

    /// The policy's decision on an attempt, counted and (when final) logged.
    func decided(_ batch: QueuedForward, started: Date, status: Int?, error: String?, retryAfter: TimeInterval?, milliseconds: Double) -> DeliveryAttempt {
        let decision = policy.decide(attempt: batch.attempts + 1, status: status, error: error, retryAfter: retryAfter, now: now(),
                                     jitter: Double.random(in: 0..<1))
        Counter(label: "telltale.forwarding.batches.total", dimensions: [("type", batch.forwarder.type.rawValue), ("outcome", decision.outcome)], factory: factory).increment()
        if case .failed(let reason) = decision {
            logger.warning("Forwarded events not delivered", metadata: ["forwarder.id": "\(batch.forwarder.id)", "type": "\(batch.forwarder.type.rawValue)", "reason": "\(reason)"])
        }
        return DeliveryAttempt(notificationID: batch.id, attemptedAt: started, statusCode: status, error: error, milliseconds: milliseconds, decision: decision)
    }

    /// The events still stored among `rows`, parsed (on the idle-priority thread), by row.
    func items(rows: Set<Int64>) async throws -> [Int64: ForwardItem] {
        let events = try await forwarders.forwardedEvents(rows: rows.sorted())
        guard !events.isEmpty else { return [:] }
        let publicURL = publicURL
        return try await background.run {
            var items: [Int64: ForwardItem] = [:]
            for event in events {
                let payload = (try? JSONParser.parse(PayloadCompression.decompress(event.compressedPayload)))?.objectValue ?? JSONObject()
                let link = event.issueID.map { "\(publicURL)/organizations/\(event.organizationSlug)/issues/\($0)/" } ?? publicURL
                items[event.rowID] = ForwardItem(event: event, payload: payload, link: link)
            }
            return items
        }
    }

    /// One request: the answer's status (nil when none came), the error and Retry-After.
    func send(_ outgoing: ForwardRequest, delivery: String) async -> (Int?, String?, TimeInterval?) {
        await ReceiverPost.send(client, url: outgoing.url, headers: outgoing.headers, body: outgoing.body, userAgent: "Telltale-Forwarder/1",
                                delivery: delivery, timeout: timeout)
    }
}
