import Foundation
import Testing
@testable import TelltaleCore

/// The spike detector on synthetic series with known spikes: daily and weekly seasonality,
/// Poisson noise, and bursts of two to six buckets at four to eight times the rate.
struct SpikeDetectorTests {
    static let bucket = SpikeDetector.bucketMilliseconds
    static let day = SpikeDetector.dayMilliseconds

    /// A seeded generator, so a failure can be replayed.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func poisson(_ lambda: Double, _ rng: inout SplitMix) -> Int {
        if lambda > 30 {
            // Normal approximation (Box-Muller) for large rates.
            let u1 = Double.random(in: Double.ulpOfOne..<1, using: &rng), u2 = Double.random(in: 0..<1, using: &rng)
            return max(0, Int((lambda + lambda.squareRoot() * (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)).rounded()))
        }
        let limit = exp(-lambda)
        var product = Double.random(in: 0..<1, using: &rng), count = 0
        while product > limit {
            count += 1
            product *= Double.random(in: 0..<1, using: &rng)
        }
        return count
    }

    struct Series {
        var start: Int64
        var counts: [Int]
        /// Injected spikes: first bucket index and length.
        var spikes: [(index: Int, length: Int)]

        var asCounts: SpikeDetector.Counts {
            var hourly: [Int64: Int] = [:], buckets: [Int64: Int] = [:]
            for (index, n) in counts.enumerated() where n > 0 {
                let at = start + Int64(index) * SpikeDetectorTests.bucket
                buckets[at] = n
                hourly[at / SpikeDetector.hourMilliseconds * SpikeDetector.hourMilliseconds, default: 0] += n
            }
            return SpikeDetector.Counts(hourly: hourly, buckets: buckets)
        }
    }

    /// 28 days from a Monday; spikes only in the last 14, apart from each other.
    static func series(base: Double, spikes: Int, seed: UInt64) -> Series {
        var rng = SplitMix(state: seed)
        let start: Int64 = 1_767_571_200_000  // Monday 2026-01-05 00:00 UTC
        let total = Int(28 * day / bucket), perDay = Int(day / bucket)
        var counts = (0..<total).map { index -> Int in
            let hourOfDay = Double(index % perDay) / Double(perDay) * 24
            let weekend = (index / perDay) % 7 >= 5
            let rate = base * (1 + 0.6 * sin(2 * .pi * (hourOfDay - 9) / 24)) * (weekend ? 0.5 : 1)
            return poisson(max(0.05, rate), &rng)
        }
        var injected: [(Int, Int)] = []
        let slots = (14 * perDay) / spikes
        for k in 0..<spikes {
            let index = 14 * perDay + k * slots + Int.random(in: 20..<(slots - 20), using: &rng)
            let length = Int.random(in: 2...6, using: &rng)
            let factor = Double.random(in: 4...8, using: &rng)
            for i in index..<(index + length) { counts[i] = Int(Double(counts[i]) * factor) + poisson(6, &rng) }
            injected.append((index, length))
        }
        return Series(start: start, counts: counts, spikes: injected)
    }

    /// Judges every bucket of the last 14 days as the detector pass would, and scores the
    /// result: a spike counts as found when one of its first two buckets is flagged.
    static func evaluate(_ series: Series) -> (found: Int, spikes: Int, trueEpisodes: Int, episodes: Int) {
        let counts = series.asCounts
        let perDay = Int(day / bucket)
        let flagged = (14 * perDay..<series.counts.count).filter { index in
            SpikeDetector.assess(counts, bucket: series.start + Int64(index) * bucket).isSpike
        }
        let found = series.spikes.filter { spike in flagged.contains { $0 == spike.index || $0 == spike.index + 1 } }.count
        var episodes: [[Int]] = []
        for index in flagged {
            if let last = episodes.last?.last, index - last <= 2 { episodes[episodes.count - 1].append(index) } else { episodes.append([index]) }
        }
        let trueEpisodes = episodes.filter { episode in
            series.spikes.contains { spike in episode.contains { $0 >= spike.index && $0 <= spike.index + spike.length } }
        }.count
        return (found, series.spikes.count, trueEpisodes, episodes.count)
    }

    @Test func findsInjectedSpikesWithinTwoBucketsAndFewFalseOnes() {
        var found = 0, spikes = 0, trueEpisodes = 0, episodes = 0
        for (base, seed) in [(3.0, 1 as UInt64), (20, 2), (200, 3), (0.5, 4), (60, 5)] {
            let result = Self.evaluate(Self.series(base: base, spikes: 20, seed: seed))
            print("spike detection base=\(base)/bucket: recall \(result.found)/\(result.spikes), precision \(result.trueEpisodes)/\(result.episodes)")
            found += result.found
            spikes += result.spikes
            trueEpisodes += result.trueEpisodes
            episodes += result.episodes
        }
        let recall = Double(found) / Double(spikes), precision = Double(trueEpisodes) / Double(max(1, episodes))
        print(String(format: "spike detection on synthetic series: precision %.3f recall %.3f (%d spikes, %d detected)", precision, recall, spikes, episodes))
        #expect(recall >= 0.95)
        #expect(precision >= 0.9)
    }

    @Test func aSlowLeakIsNotASpike() {
        // Rises from 2 to 12 per bucket over two weeks: the recent level follows it.
        var rng = SplitMix(state: 9)
        let start: Int64 = 1_767_571_200_000, total = Int(14 * Self.day / Self.bucket)
        let counts = (0..<total).map { Self.poisson(2 + 10 * Double($0) / Double(total), &rng) }
        let series = Series(start: start, counts: counts, spikes: [])
        let flagged = (total - 288..<total).filter { SpikeDetector.assess(series.asCounts, bucket: start + Int64($0) * Self.bucket).isSpike }
        #expect(flagged.count <= 1)
    }

    @Test func aNewIssueBurstingIsASpikeAndAQuietOneIsNot() {
        let at: Int64 = 1_767_571_200_000
        let burst = SpikeDetector.Counts(hourly: [at / SpikeDetector.hourMilliseconds * SpikeDetector.hourMilliseconds: 30], buckets: [at: 30])
        let assessment = SpikeDetector.assess(burst, bucket: at)
        #expect(assessment.isSpike)
        #expect(assessment.expected == 0)
        let few = SpikeDetector.Counts(hourly: [:], buckets: [at: 3])
        #expect(!SpikeDetector.assess(few, bucket: at).isSpike)
    }

    @Test func consecutiveBucketsExtendOneSpike() {
        let start = Date(timeIntervalSince1970: 1_767_571_200)
        let spike = Spike(id: 1, projectID: ProjectID(1), scope: .issue, issueID: 7, startedAt: start, lastAt: start, peak: 10, expected: 1, score: 5,
                          events: 10, detectedAt: start)
        #expect(spike.continues(at: start.addingTimeInterval(300)))
        #expect(spike.continues(at: start.addingTimeInterval(600)))
        #expect(!spike.continues(at: start.addingTimeInterval(900)))
        let extended = spike.extended(with: .init(bucket: 1_767_571_500_000, observed: 25, expected: 2, score: 9, isSpike: true))
        #expect(extended.lastAt == start.addingTimeInterval(300))
        #expect(extended.peak == 25 && extended.score == 9)
    }
}
