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
    /// Whether ingestion has work waiting: forwarding then takes at most one pass a second,
    /// so a burst is stored first and forwarded once it eases.
    let ingestBusy: @Sendable () -> Bool

    public init(repositories: Repositories, publicURL: String, policy: DeliveryPolicy = DeliveryPolicy(), logger: Logger, metrics: any MetricsFactory,
                timeoutSeconds: Int64 = 10, concurrency: Int = 8, ingestBusy: @escaping @Sendable () -> Bool = { false },
                now: @escaping @Sendable () -> Date = Date.init) {
        self.ingestBusy = ingestBusy
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
            var lastPass = ContinuousClock.now - .seconds(1)
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                if ingestBusy(), ContinuousClock.now - lastPass < .seconds(1) {
                    await wakeup.wait(upTo: .milliseconds(100))
                    continue
                }
                lastPass = ContinuousClock.now
                do {
                    let queued = try await queueNew()
                    let next = try await forwarders.nextForwardAt()
                    if let next, next <= now(), try await deliverDue() > 0 { continue }
                    if queued == passSize { continue }
                    await wakeup.wait(upTo: .milliseconds(500))
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

    /// Queues batches for the events stored since the last pass; the number of events read.
    @discardableResult
    public func queueNew() async throws -> Int {
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
        let candidates = try await forwarders.forwardCandidates(after: from, limit: passSize)
        guard let to = candidates.last?.rowID else { return 0 }
        let batches = ForwardPlanner.batches(candidates, forwarders: enabled)
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
        let items: [Int64: ForwardItem]
        do {
            items = try await self.items(rows: Set(claimed.flatMap(\.eventRows)))
        } catch {
            for batch in claimed { await record(batch, started: now(), status: nil, error: "could not read the events: \(error)", retryAfter: nil, milliseconds: 0) }
            return claimed.count
        }
        await withTaskGroup(of: Void.self) { group in
            for batch in claimed { group.addTask { await self.attempt(batch, items: batch.eventRows.compactMap { items[$0] }) } }
        }
        return claimed.count
    }

    func attempt(_ batch: QueuedForward, items: [ForwardItem]) async {
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
        await record(batch, started: started, status: status, error: error, retryAfter: retryAfter, milliseconds: NotificationDelivery.milliseconds(since: clock))
    }

    func record(_ batch: QueuedForward, started: Date, status: Int?, error: String?, retryAfter: TimeInterval?, milliseconds: Double) async {
        let decision = policy.decide(attempt: batch.attempts + 1, status: status, error: error, retryAfter: retryAfter, now: now(),
                                     jitter: Double.random(in: 0..<1))
        let outcome = decision.outcome
        Counter(label: "telltale.forwarding.batches.total", dimensions: [("type", batch.forwarder.type.rawValue), ("outcome", outcome)], factory: factory).increment()
        if case .failed(let reason) = decision {
            logger.warning("Forwarded events not delivered", metadata: ["forwarder.id": "\(batch.forwarder.id)", "type": "\(batch.forwarder.type.rawValue)", "reason": "\(reason)"])
        }
        do {
            try await alerts.recordAttempt(DeliveryAttempt(notificationID: batch.id, attemptedAt: started, statusCode: status, error: error,
                                                           milliseconds: milliseconds, decision: decision))
        } catch {
            // The lease runs out and the batch is tried again: sent twice rather than lost.
            logger.error("Forward attempt not recorded", metadata: ["batch.id": "\(batch.id)", "error": "\(error)"])
        }
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
