public import Foundation
import SentryProtocol

/// Which data categories the server asked to hold back, and until when (from
/// `X-Sentry-Rate-Limits`, or a bare 429's `Retry-After` for everything). Pure.
public struct RateLimitState: Sendable, Equatable {
    /// Category (`""`: all) → the time it may be sent again.
    public private(set) var until: [String: Date] = [:]

    public init() {}

    /// Reads a response's headers.
    public mutating func update(status: Int, rateLimits: String?, retryAfter: String?, now: Date) {
        if let header = rateLimits, !header.isEmpty {
            for limit in RateLimit.parse(header: header) {
                let end = now.addingTimeInterval(TimeInterval(limit.retryAfter))
                for category in limit.categories.isEmpty ? [""] : limit.categories { until[category] = max(until[category] ?? end, end) }
            }
        } else if status == 429 {
            let seconds = retryAfter.flatMap(Double.init).map { max(0, $0) } ?? 60
            until[""] = max(until[""] ?? .distantPast, now.addingTimeInterval(seconds))
        }
    }

    /// When items of `category` may go again; nil when they may now.
    public func blocked(_ category: String, now: Date) -> Date? {
        let end = [until[category], until[""]].compactMap { $0 }.max()
        return end.flatMap { $0 > now ? $0 : nil }
    }
}
