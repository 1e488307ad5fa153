import Foundation
import Testing
import TelltaleCore

/// Funnels as pure arithmetic: who advances, when an attempt starts again, and the figures
/// (conversion, drop-off, median time) from constructed counts.
@Suite("Funnels (pure)")
struct FunnelTests {
    static let signup = try! FunnelDraft(
        name: "Signup", steps: [FunnelStep(event: "signup_started"), FunnelStep(event: "signup_completed"),
                                FunnelStep(event: "booking_created", filter: ["kind": "paid"], label: "First paid booking")],
        conversionWindowSeconds: 3_600, segments: ["source"])

    /// Feeds one user's events (name, seconds, properties) and returns what was counted.
    static func run(_ events: [(String, Int64, [String: String])]) -> (FunnelProgress?, [FunnelTally]) {
        var progress: FunnelProgress?
        var tallies: [FunnelTally] = []
        for (name, seconds, properties) in events {
            guard let (next, tally) = FunnelTracker.advance(signup, progress: progress, name: name, properties: properties, timestamp: seconds * 1000) else { continue }
            progress = next
            tallies.append(tally)
        }
        return (progress, tallies)
    }

    @Test("steps advance in order within the window; other events, filters that do not hold and late steps count nothing")
    func advance() {
        let day = Int64(20_000) * 86_400
        let (progress, tallies) = Self.run([
            ("signup_completed", day + 1, [:]),                       // before starting: nothing
            ("signup_started", day + 10, ["source": "ads"]),          // enters, segment from here
            ("signup_started", day + 20, ["source": "mail"]),         // first touch wins
            ("booking_created", day + 30, ["kind": "paid"]),          // not the next step
            ("signup_completed", day + 70, [:]),                      // 60 s after the start
            ("booking_created", day + 100, ["kind": "free"]),         // filter does not hold
            ("booking_created", day + 190, ["kind": "paid"]),         // 120 s after completing
        ])
        #expect(tallies.map(\.step) == [0, 1, 2])
        #expect(tallies.map(\.secondsFromPrevious) == [nil, 60, 120])
        #expect(tallies.allSatisfy { $0.day == day * 1000 && $0.segments == ["source": "ads"] })
        #expect(progress?.reached == 2 && progress?.startedAt == (day + 10) * 1000)
    }

    @Test("a step after the conversion window does not count; the first step then starts a new attempt with its own segments")
    func window() {
        let start = Int64(20_000) * 86_400 + 86_000  // the retry starts on the next UTC day
        let (progress, tallies) = Self.run([
            ("signup_started", start, [:]),
            ("signup_completed", start + 3_601, [:]),                 // one second too late
            ("signup_started", start + 3_700, ["source": "partner"]),
            ("signup_completed", start + 3_710, [:]),
        ])
        #expect(tallies.map(\.step) == [0, 0, 1])
        #expect(tallies[0].segments == ["source": FunnelTracker.noValue] && tallies[2].segments == ["source": "partner"])
        #expect(tallies[1].day == tallies[0].day + 86_400_000 && tallies[2].day == tallies[1].day)
        #expect(progress?.reached == 1 && tallies[2].secondsFromPrevious == 10)
    }

    @Test("figures: conversion from the previous step and from the start, drop-off and median time, exactly")
    func figures() {
        var times1 = DDSketch(), times2 = DDSketch()
        for seconds in [10.0, 20, 30, 40, 50] { times1.add(seconds) }
        times2.add(100)
        let steps = FunnelStepFigures.steps(Self.signup, users: [0: 8, 1: 5, 2: 1], times: [1: times1, 2: times2])
        #expect(steps.map(\.users) == [8, 5, 1])
        #expect(steps.map(\.conversionFromPrevious) == [1, 0.625, 0.2])
        #expect(steps.map(\.conversionFromStart) == [1, 0.625, 0.125])
        #expect(steps.map(\.dropOff) == [0, 3, 4])
        #expect(steps[0].medianSecondsFromPrevious == nil)
        #expect(abs(steps[1].medianSecondsFromPrevious! - 30) <= 0.3 && abs(steps[2].medianSecondsFromPrevious! - 100) <= 1)
        #expect(steps[2].label == "First paid booking" && steps[1].label == "signup_completed")
        let empty = FunnelStepFigures.steps(Self.signup, users: [:], times: [:])
        #expect(empty.allSatisfy { $0.conversionFromStart == nil && $0.users == 0 })
    }

    @Test("a funnel needs two to ten steps, a window of a minute to 90 days and at most five distinct segments, each refused naming the field")
    func validation() throws {
        func decode(_ json: String) throws -> FunnelDraft { try JSONDecoder().decode(FunnelDraft.self, from: Data(json.utf8)) }
        let good = try decode(#"{"name": "Signup", "steps": [{"event": "a"}, {"event": "b", "where": {"plan": "pro"}}], "segments": ["device"]}"#)
        #expect(good.conversionWindowSeconds == 604_800 && good.steps[1].filter == ["plan": "pro"])
        #expect(try JSONDecoder().decode(FunnelDraft.self, from: JSONEncoder().encode(good)) == good)
        for (bad, field) in [(#"{"name": "F", "steps": []}"#, "steps"),
                             (#"{"name": "F", "steps": [{"event": "a"}]}"#, "steps"),
                             (#"{"name": "", "steps": [{"event": "a"}, {"event": "b"}]}"#, "name"),
                             (#"{"name": "F", "steps": [{"event": "a"}, {"event": ""}]}"#, "steps[1].event"),
                             (#"{"name": "F", "steps": [{"event": "a"}, {"event": "b"}], "conversion_window_seconds": 10}"#, "conversion_window_seconds"),
                             (#"{"name": "F", "steps": [{"event": "a"}, {"event": "b"}], "segments": ["x", "x"]}"#, "segments")] {
            #expect(performing: { try decode(bad) }, throws: { ($0 as? ValidationError)?.field == field })
        }
    }
}
