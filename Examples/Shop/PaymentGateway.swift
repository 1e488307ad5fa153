import Foundation
import Synchronization
import TelltaleClient

/// A stand-in for an external payment provider that can be told to fail: calls go through a
/// retry policy and a circuit breaker, so its outages show in Telltale as an issue that opens
/// when the breaker opens and resolves itself when it closes.
final class PaymentGateway: Sendable {
    struct Declined: Error, CustomStringConvertible {
        var reason: String
        var description: String { "payment declined: \(reason)" }
    }

    struct Unavailable: Error, CustomStringConvertible {
        var description: String { "payment provider unavailable (HTTP 503)" }
    }

    private let down = Atomic<Bool>(false)
    let breaker: CircuitBreaker
    let retryPolicy: RetryPolicy

    init(client: TelltaleClient, resetTimeout: TimeInterval) {
        breaker = CircuitBreaker(name: "payment-provider", failureThreshold: 3, resetTimeout: resetTimeout, client: client)
        retryPolicy = RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(20), maxDelay: .milliseconds(100))
    }

    /// Makes every charge fail (an outage) or succeed again.
    func setDown(_ isDown: Bool) { down.store(isDown, ordering: .relaxed) }

    var isDown: Bool { down.load(ordering: .relaxed) }

    /// Charges `cents`; declines amounts over 100,000 as a real provider would.
    func charge(cents: Int) async throws -> String {
        try await breaker.run { [self] in
            try await retry(policy: retryPolicy, name: "charge") {
                if self.isDown { throw Unavailable() }
                if cents > 100_000 { throw Declined(reason: "amount over the card's limit") }
                return "ch_" + UUID().uuidString.prefix(8).lowercased()
            }
        }
    }
}
