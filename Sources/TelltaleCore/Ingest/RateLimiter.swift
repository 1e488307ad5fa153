/// Fixed one-minute windows of event counts per key (client key or organization).
/// A pure state machine: the caller owns it, passes the clock and acts on the decision.
public struct RateLimiter: Sendable {
    /// The outcome for one request.
    public enum Decision: Sendable, Equatable {
        /// Within the limit.
        case allowed
        /// Over the limit until the window ends, in whole seconds.
        case limited(retryAfter: Int)
    }

    private struct Window: Sendable {
        var start: Double
        var count: Int
    }

    private var windows: [String: Window] = [:]

    /// An empty limiter.
    public init() {}

    /// Counts `quantity` events against `key` with `limit` per minute at time `now`.
    public mutating func admit(key: String, limit: Int, quantity: Int = 1, now: Double) -> Decision {
        let minuteStart = (now / 60).rounded(.down) * 60
        var window = windows[key] ?? Window(start: minuteStart, count: 0)
        if window.start != minuteStart { window = Window(start: minuteStart, count: 0) }
        guard window.count + quantity <= limit else {
            windows[key] = window
            return .limited(retryAfter: max(1, Int((window.start + 60 - now).rounded(.up))))
        }
        window.count += quantity
        windows[key] = window
        if windows.count > 10_000 { windows = windows.filter { $0.value.start == minuteStart } }
        return .allowed
    }
}
