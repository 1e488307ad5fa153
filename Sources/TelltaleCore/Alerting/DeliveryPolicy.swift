public import Foundation

/// What a delivery attempt's outcome means: done, try again later, or give up.
public enum DeliveryDecision: Sendable, Hashable {
    case delivered
    case retry(at: Date, reason: String)
    case failed(reason: String)

    /// The decision in one word, as delivery logs, metrics and the API name it.
    public var outcome: String {
        switch self {
        case .delivered: "delivered"
        case .retry: "retry"
        case .failed: "failed"
        }
    }
}

/// Retries with exponential backoff and jitter: 5xx, 429 (honouring `Retry-After`), timeouts
/// and connection failures are retried; other 4xx are final.
public struct DeliveryPolicy: Sendable, Hashable {
    public var maxAttempts: Int
    public var baseDelay: TimeInterval
    public var maxDelay: TimeInterval

    public init(maxAttempts: Int = 8, baseDelay: TimeInterval = 2, maxDelay: TimeInterval = 600) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// `status` is the receiver's HTTP status (`nil` when none came: timeout, refused, reset);
    /// `jitter` in 0..<1 spreads retries (callers pass a random number; tests a fixed one).
    public func decide(attempt: Int, status: Int?, error: String?, retryAfter: TimeInterval?, now: Date, jitter: Double) -> DeliveryDecision {
        if let status, (200..<300).contains(status) { return .delivered }
        let reason = status.map { "HTTP \($0)" + (error.map { ": \($0)" } ?? "") } ?? (error ?? "no answer")
        if let status, (400..<500).contains(status), status != 429, status != 408 { return .failed(reason: reason) }
        return backoff(attempt: attempt, reason: reason, retryAfter: status == 429 ? retryAfter : nil, now: now, jitter: jitter)
    }

    /// The same for a mail server: `code` is its last reply. 5xx is permanent (a refused
    /// recipient, bad credentials); 4xx and no answer are tried again.
    public func decideSMTP(attempt: Int, code: Int?, error: String?, now: Date, jitter: Double) -> DeliveryDecision {
        if error == nil, let code, (200..<300).contains(code) { return .delivered }
        let reason = error ?? code.map { "SMTP \($0)" } ?? "no answer"
        if let code, (500..<600).contains(code) { return .failed(reason: reason) }
        return backoff(attempt: attempt, reason: reason, retryAfter: nil, now: now, jitter: jitter)
    }

    func backoff(attempt: Int, reason: String, retryAfter: TimeInterval?, now: Date, jitter: Double) -> DeliveryDecision {
        guard attempt < maxAttempts else { return .failed(reason: "\(reason) (gave up after \(attempt) attempts)") }
        var delay = min(maxDelay, baseDelay * pow(2, Double(attempt - 1)))
        delay *= 0.8 + 0.4 * jitter
        if let retryAfter { delay = min(max(retryAfter, delay), 3_600) }
        return .retry(at: now.addingTimeInterval(delay), reason: reason)
    }
}
