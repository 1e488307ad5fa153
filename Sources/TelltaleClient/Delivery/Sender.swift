import Foundation
import SentryProtocol

/// Sends envelopes one after another: waits out rate limits the server set, retries
/// failures with backoff, drops (and counts) what cannot go, and adds the counts as a client
/// report to the next envelope. Its clock, sleep and randomness come in, for tests.
struct Sender: Sendable {
    let url: String
    let auth: String
    let transport: any EnvelopeTransport
    let policy: RetryPolicy
    let drops: DropCounter
    let now: @Sendable () -> Date
    let sleep: @Sendable (Duration) async throws -> Void
    let random: @Sendable () -> Double

    enum Outcome: Equatable { case sent, dropped(String) }

    /// Sends one envelope; `limits` carries what the server said from one envelope to the next.
    func deliver(_ pending: PendingEnvelope, limits: inout RateLimitState) async -> Outcome {
        var attempt = 1
        while true {
            if let until = limits.blocked(pending.category, now: now()) {
                do { try await sleep(.milliseconds(Int64(until.timeIntervalSince(now()) * 1000) + 1)) } catch { return drop(pending, "ratelimit_backoff") }
            }
            let report = drops.take(now: now())
            var bytes = pending.bytes
            if let report { bytes += Self.item(type: "client_report", payload: JSONValue.object(report).serialized()) }
            let response: TransportResponse
            do {
                response = try await transport.send(bytes, to: url, auth: auth)
            } catch {
                if let report { drops.restore(report) }
                guard attempt < policy.maxAttempts else { return drop(pending, "network_error") }
                guard (try? await sleep(policy.delay(afterAttempt: attempt, random: random()))) != nil else { return drop(pending, "network_error") }
                attempt += 1
                continue
            }
            limits.update(status: response.status, rateLimits: response.rateLimits, retryAfter: response.retryAfter, now: now())
            // A report that went with an envelope the server did not take is counted again.
            if let report, !(200..<300).contains(response.status) { drops.restore(report) }
            switch response.status {
            case 200..<300:
                return .sent
            case 429, 500..<600:
                guard attempt < policy.maxAttempts else { return drop(pending, response.status == 429 ? "ratelimit_backoff" : "network_error") }
                if response.status != 429 || limits.blocked(pending.category, now: now()) == nil {
                    guard (try? await sleep(policy.delay(afterAttempt: attempt, random: random()))) != nil else { return drop(pending, "network_error") }
                }
                attempt += 1
            default:
                // The server refused this envelope itself (400, 413…): sending it again cannot help.
                return drop(pending, "send_error")
            }
        }
    }

    func drop(_ pending: PendingEnvelope, _ reason: String) -> Outcome {
        drops.add(reason: reason, category: pending.category)
        return .dropped(reason)
    }

    /// One envelope item's bytes (header line with its length, payload, newline).
    static func item(type: String, payload: [UInt8]) -> [UInt8] {
        JSONValue.object(["type": .string(type), "length": .int(Int64(payload.count))]).serialized() + [UInt8(ascii: "\n")] + payload + [UInt8(ascii: "\n")]
    }
}
