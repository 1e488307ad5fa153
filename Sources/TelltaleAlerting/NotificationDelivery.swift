import AsyncHTTPClient
public import Foundation
public import Logging
public import Metrics
import NIOCore
import NIOHTTP1
public import ServiceLifecycle
public import TelltaleCore

/// Sends queued notifications: claims those due (a lease, so with several nodes each goes out
/// once and a crashed sender's claim runs out and is taken again), sends a bounded number at
/// once, each cut at its timeout, and records every attempt with the policy's decision.
public final class NotificationDelivery: Service, Sendable {
    let alerts: any AlertRepository
    let client: HTTPClient
    let policy: DeliveryPolicy
    let pagerDutyURL: String
    let smtp: SMTPSettings?
    let logger: Logger
    let now: @Sendable () -> Date
    let owner = "node-" + UUID().uuidString.prefix(8).lowercased()
    let timeout: TimeAmount
    let concurrency: Int
    let factory: any MetricsFactory
    let wakeup = Wakeup()

    public init(alerts: any AlertRepository, policy: DeliveryPolicy = DeliveryPolicy(), pagerDutyURL: String, smtp: SMTPSettings? = nil, logger: Logger,
                metrics: any MetricsFactory, timeoutSeconds: Int64 = 10, concurrency: Int = 16, now: @escaping @Sendable () -> Date = Date.init) {
        self.alerts = alerts
        self.policy = policy
        self.pagerDutyURL = pagerDutyURL
        self.smtp = smtp
        self.logger = logger
        self.factory = metrics
        self.now = now
        self.timeout = .seconds(timeoutSeconds)
        self.concurrency = concurrency
        client = ReceiverPost.makeClient()
    }

    /// Asks for a pass now (new notifications were stored).
    public func notify() { wakeup.signal() }

    public func shutdown() async { try? await client.shutdown() }

    public func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                do {
                    // Claiming is a write; a read first keeps an idle queue from taking the write lock.
                    let next = try await alerts.nextNotificationAt()
                    if let next, next <= now(), try await deliverDue() > 0 { continue }
                    let wait = min(1, max(0.05, (next ?? now().addingTimeInterval(1)).timeIntervalSince(now())))
                    await wakeup.wait(upTo: .milliseconds(Int(wait * 1000)))
                } catch {
                    logger.error("Notification delivery pass failed", metadata: ["error": "\(error)"])
                    await wakeup.wait(upTo: .seconds(1))
                }
            }
        } onGracefulShutdown: {
            self.wakeup.signal()
        }
        await shutdown()
    }

    /// Sends everything due now; the number of attempts made.
    @discardableResult
    public func deliverDue() async throws -> Int {
        let claimed = try await alerts.claimNotifications(now: now(), limit: concurrency, owner: owner,
                                                          leaseUntil: now().addingTimeInterval(Double(timeout.nanoseconds) / 1e9 + 5))
        guard !claimed.isEmpty else { return 0 }
        await withTaskGroup(of: Void.self) { group in
            for notification in claimed { group.addTask { await self.attempt(notification) } }
        }
        return claimed.count
    }

    /// Sends `message` to `channel` once, now, without the queue ("send test"); the attempt.
    public func sendNow(_ channel: TelltaleCore.Channel, _ message: NotificationMessage) async -> DeliveryAttempt {
        let (status, error, _, milliseconds) = await send(QueuedNotification(id: NotificationID(0), organizationID: channel.organizationID, channel: channel,
                                                                               message: message, attempts: 0), at: now())
        let decision: DeliveryDecision = error == nil && status.map { (200..<300).contains($0) } == true ? .delivered : .failed(reason: error ?? "HTTP \(status ?? 0)")
        return DeliveryAttempt(notificationID: NotificationID(0), attemptedAt: now(), statusCode: status, error: error, milliseconds: milliseconds, decision: decision)
    }

    func attempt(_ notification: QueuedNotification) async {
        let started = now()
        let (status, error, retryAfter, milliseconds) = await send(notification, at: started)
        let decision = if case .email = notification.channel.config {
            policy.decideSMTP(attempt: notification.attempts + 1, code: status, error: error, now: now(), jitter: Double.random(in: 0..<1))
        } else {
            policy.decide(attempt: notification.attempts + 1, status: status, error: error, retryAfter: retryAfter, now: now(),
                          jitter: Double.random(in: 0..<1))
        }
        let outcome = decision.outcome
        Counter(label: "telltale.notifications.total", dimensions: [("channel_type", notification.channel.config.type.rawValue), ("outcome", outcome)], factory: factory).increment()
        Metrics.Timer(label: "telltale.notification.delivery.seconds", dimensions: [("channel_type", notification.channel.config.type.rawValue)], factory: factory)
            .recordNanoseconds(Int64(milliseconds * 1_000_000))
        if case .failed(let reason) = decision {
            logger.warning("Notification not delivered", metadata: ["notification.id": "\(notification.id)", "channel.type": "\(notification.channel.config.type.rawValue)", "reason": "\(reason)"])
        }
        do {
            try await alerts.recordAttempts([DeliveryAttempt(notificationID: notification.id, attemptedAt: started, statusCode: status, error: error,
                                                           milliseconds: milliseconds, decision: decision)])
        } catch {
            // The lease runs out and the notification is tried again: sent twice rather than lost.
            logger.error("Delivery attempt not recorded", metadata: ["notification.id": "\(notification.id)", "error": "\(error)"])
        }
    }

    /// One request to the receiver: its status (nil when none came), error, Retry-After and time.
    /// For email the status is the mail server's last reply code.
    func send(_ notification: QueuedNotification, at started: Date) async -> (Int?, String?, TimeInterval?, Double) {
        if case .email(let to) = notification.channel.config { return await sendEmail(notification.message, to: to, at: started) }
        let clock = ContinuousClock.now
        do {
            let outgoing = try NotificationRenderer.request(for: notification.channel, notification.message, pagerDutyURL: pagerDutyURL, now: started)
            let (status, error, retryAfter) = await ReceiverPost.send(client, url: outgoing.url, headers: outgoing.headers, body: outgoing.body,
                                                                      userAgent: "Telltale-Alerts/1",
                                                                      delivery: notification.id.rawValue == 0 ? "test" : notification.id.description, timeout: timeout)
            return (status, error, retryAfter, Self.milliseconds(since: clock))
        } catch let failure as DeliveryError {
            return (400, failure.description, nil, Self.milliseconds(since: clock))  // not worth retrying: the channel cannot be sent to
        } catch let failure {
            return (nil, Self.describe(failure), nil, Self.milliseconds(since: clock))
        }
    }

    func sendEmail(_ message: NotificationMessage, to: [String], at started: Date) async -> (Int?, String?, TimeInterval?, Double) {
        let clock = ContinuousClock.now
        guard let smtp else { return (nil, "SMTP is not configured (smtp.url, smtp.from)", nil, 0) }
        do {
            let code = try await SMTPClient(settings: smtp).send(EmailRenderer.email(message, to: to, from: smtp.from, now: started))
            return (code, nil, nil, Self.milliseconds(since: clock))
        } catch let failure as SMTPFailure {
            return (failure.code, failure.description, nil, Self.milliseconds(since: clock))
        } catch {
            return (nil, "SMTP failed: \(String(String(describing: error).prefix(200)))", nil, Self.milliseconds(since: clock))
        }
    }

    public static func milliseconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    }

    /// The failure in words, never the URL (which may carry a token).
    public static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout: return "timed out"
            case .remoteConnectionClosed: return "the receiver closed the connection"
            case .redirectLimitReached, .redirectCycleDetected: return "too many redirects"
            default: return "HTTP error: \(error)"
            }
        }
        if text.contains("Connection refused") { return "connection refused" }
        if text.contains("Connection reset") { return "connection reset" }
        return "request failed: \(String(text.prefix(200)))"
    }
}
