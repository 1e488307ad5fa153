import Foundation
import Testing
import TelltaleCore

@Suite("Login throttle")
struct LoginThrottleTests {
    @Test("five failures within the window lock the key until the oldest one ages out")
    func locks() {
        var throttle = LoginThrottle(maxFailures: 5, window: 900)
        let start = Date(timeIntervalSince1970: 1_000_000)
        for i in 0..<4 { throttle.recordFailure("a", now: start.addingTimeInterval(Double(i))) }
        #expect(throttle.retryAfter("a", now: start.addingTimeInterval(5)) == nil)
        throttle.recordFailure("a", now: start.addingTimeInterval(10))
        #expect(throttle.retryAfter("a", now: start.addingTimeInterval(11)) == start.addingTimeInterval(900))
        #expect(throttle.retryAfter("b", now: start.addingTimeInterval(11)) == nil)
        #expect(throttle.retryAfter("a", now: start.addingTimeInterval(901)) == nil)
    }

    @Test("success clears an account's failures")
    func success() {
        var throttle = LoginThrottle(maxFailures: 2, window: 60)
        let now = Date()
        throttle.recordFailure("a", now: now)
        throttle.recordSuccess("a")
        throttle.recordFailure("a", now: now)
        #expect(throttle.retryAfter("a", now: now) == nil)
    }
}
