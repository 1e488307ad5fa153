import Foundation
public import TelltaleCore

/// What a check found, before scheduling information is added.
public struct CheckOutcome: Sendable, Hashable {
    public var verdict: CheckVerdict
    public var responseMilliseconds: Double?
    public var statusCode: Int?
    public var message: String

    public init(verdict: CheckVerdict, responseMilliseconds: Double? = nil, statusCode: Int? = nil, message: String) {
        self.verdict = verdict
        self.responseMilliseconds = responseMilliseconds
        self.statusCode = statusCode
        self.message = message
    }

    static func down(_ message: String, after milliseconds: Double? = nil, status: Int? = nil) -> CheckOutcome {
        CheckOutcome(verdict: .down, responseMilliseconds: milliseconds, statusCode: status, message: message)
    }
}

/// Milliseconds since `start` on the monotonic clock.
func milliseconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
}
