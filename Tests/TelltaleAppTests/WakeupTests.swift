import Testing
import TelltaleAlerting

@Suite struct WakeupTests {
    @Test func aSignalSentBeforeTheWaitEndsItAtOnce() async {
        let wakeup = Wakeup()
        wakeup.signal()
        let clock = ContinuousClock()
        let started = clock.now
        await wakeup.wait(upTo: .seconds(30))
        #expect(started.duration(to: clock.now) < .seconds(5))
    }

    @Test func aSignalEndsAWaitInProgress() async {
        let wakeup = Wakeup()
        let clock = ContinuousClock()
        let started = clock.now
        async let waited: Void = wakeup.wait(upTo: .seconds(30))
        // Signals until the wait has taken one: one sent before the wait began is kept.
        wakeup.signal()
        await waited
        #expect(started.duration(to: clock.now) < .seconds(5))
    }

    /// The delivery service once woke from every wait at once after its first timeout (a
    /// cancelled stream iteration finishes the stream): each wait must last its full time.
    @Test func waitsAfterATimeoutStillWait() async {
        let wakeup = Wakeup()
        let clock = ContinuousClock()
        let started = clock.now
        for _ in 0..<3 { await wakeup.wait(upTo: .milliseconds(40)) }
        #expect(started.duration(to: clock.now) >= .milliseconds(120))
    }

    @Test func onlyOneSignalIsKept() async {
        let wakeup = Wakeup()
        wakeup.signal()
        wakeup.signal()
        await wakeup.wait(upTo: .seconds(30))
        let clock = ContinuousClock()
        let started = clock.now
        await wakeup.wait(upTo: .milliseconds(40))
        #expect(started.duration(to: clock.now) >= .milliseconds(40))
    }
}
