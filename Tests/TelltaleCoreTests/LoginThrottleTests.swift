import Foundation
import Testing
import TelltaleCore

@Suite("Login throttle")
struct LoginThrottleTests {
    @Test("five failures within the window lock the key until the oldest one ages out")
    func locks() {
        let throttle = LoginThrottle(maxFailures: 5, window: 900)
        let start = Date(timeIntervalSince1970: 1_000_000)
        var failures = (0..<4).map { start.addingTimeInterval(Double($0)) }
        #expect(throttle.retryAfter(failures: failures, now: start.addingTimeInterval(5)) == nil)
        failures.append(start.addingTimeInterval(10))
        #expect(throttle.retryAfter(failures: failures, now: start.addingTimeInterval(11)) == start.addingTimeInterval(900))
        #expect(throttle.retryAfter(failures: [], now: start.addingTimeInterval(11)) == nil)
        #expect(throttle.retryAfter(failures: failures, now: start.addingTimeInterval(901)) == nil)
    }

    @Test("failures outside the window do not count")
    func window() {
        let throttle = LoginThrottle(maxFailures: 2, window: 60)
        let now = Date(timeIntervalSince1970: 2_000_000)
        #expect(throttle.retryAfter(failures: [now.addingTimeInterval(-61), now], now: now) == nil)
        #expect(throttle.retryAfter(failures: [now.addingTimeInterval(-59), now], now: now) == now.addingTimeInterval(1))
    }
}
