public import Foundation

/// Error-rate spikes, pure: a bucket's count against what the time of day, the day of the week
/// and the last hour lead one to expect, scored robustly (median and MAD, with Poisson noise
/// for small counts) so one earlier burst does not hide the next.
public enum SpikeDetector {
    /// The width of a bucket: the detector judges five-minute counts.
    public static let bucketMilliseconds: Int64 = 300_000
    public static let hourMilliseconds: Int64 = 3_600_000
    public static let dayMilliseconds: Int64 = 86_400_000
    static let bucketsPerHour = Double(hourMilliseconds / bucketMilliseconds)

    public struct Settings: Sendable, Hashable {
        /// Days of history the seasonal baseline reads.
        public var lookbackDays: Int
        /// The robust score a bucket must reach.
        public var threshold: Double
        /// Fewer events than this in a bucket are never a spike.
        public var minimumCount: Int
        /// A spike is at least this many times the expected count.
        public var minimumRatio: Double

        public init(lookbackDays: Int = 14, threshold: Double = 4, minimumCount: Int = 5, minimumRatio: Double = 2) {
            self.lookbackDays = lookbackDays
            self.threshold = threshold
            self.minimumCount = minimumCount
            self.minimumRatio = minimumRatio
        }
    }

    /// One series' counts as the detector reads them: per hour over the lookback (the seasonal
    /// baseline) and per bucket over the last hour and a half (the recent level and the buckets
    /// judged). Keys are the start of the hour or bucket, in milliseconds since 1970.
    public struct Counts: Sendable, Hashable {
        public var hourly: [Int64: Int]
        public var buckets: [Int64: Int]

        public init(hourly: [Int64: Int], buckets: [Int64: Int]) {
            self.hourly = hourly
            self.buckets = buckets
        }
    }

    public struct Assessment: Sendable, Hashable {
        public var bucket: Int64
        public var observed: Int
        public var expected: Double
        public var score: Double
        public var isSpike: Bool
    }

    /// How unusual the count of the bucket starting at `bucket` is.
    public static func assess(_ counts: Counts, bucket: Int64, settings: Settings = Settings()) -> Assessment {
        let observed = counts.buckets[bucket] ?? 0
        let seasonal = seasonalBaseline(counts.hourly, bucket: bucket, days: settings.lookbackDays)
        // The recent level skips the bucket before this one, which a spike may already fill.
        let recent = (2...13).map { Double(counts.buckets[bucket - Int64($0) * bucketMilliseconds] ?? 0) }
        let recentLevel = (median(recent), mad(recent))
        let (expected, spread) = [seasonal, recentLevel].compactMap { $0 }.max { $0.0 < $1.0 } ?? recentLevel
        // Poisson noise of the expected count, plus the baseline's own spread.
        let sigma = max(1, (expected + pow(1.4826 * spread, 2)).squareRoot())
        let score = (Double(observed) - expected) / sigma
        let isSpike = score >= settings.threshold && observed >= settings.minimumCount && Double(observed) >= settings.minimumRatio * expected
        return Assessment(bucket: bucket, observed: observed, expected: (expected * 100).rounded() / 100, score: (score * 100).rounded() / 100, isSpike: isSpike)
    }

    /// The per-bucket count expected at this time of day (the median over earlier days of the
    /// same hour), scaled by how this day of the week compares with the others; with its MAD.
    /// Nil with less than three days of history.
    static func seasonalBaseline(_ hourly: [Int64: Int], bucket: Int64, days: Int) -> (Double, Double)? {
        guard let first = hourly.keys.min() else { return nil }
        let hour = bucket / hourMilliseconds * hourMilliseconds
        let history = (1...max(1, days)).map { hour - Int64($0) * dayMilliseconds }.filter { $0 >= first }
        guard history.count >= 3 else { return nil }
        let rates = history.map { Double(hourly[$0] ?? 0) / bucketsPerHour }
        func dayTotal(_ hourOfDay: Int64) -> Double {
            let start = hourOfDay - (hourOfDay % dayMilliseconds)
            return (0..<24).reduce(0) { $0 + Double(hourly[start + Int64($1) * hourMilliseconds] ?? 0) }
        }
        let totals = history.map(dayTotal)
        let sameWeekday = history.filter { (hour - $0) % (7 * dayMilliseconds) == 0 }.map(dayTotal)
        var factor = 1.0
        if !sameWeekday.isEmpty {
            let mean = totals.reduce(0, +) / Double(totals.count)
            factor = min(4, max(0.25, (sameWeekday.reduce(0, +) / Double(sameWeekday.count) + 1) / (mean + 1)))
        }
        return (median(rates) * factor, mad(rates) * factor)
    }

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// The median absolute deviation.
    static func mad(_ values: [Double]) -> Double {
        let center = median(values)
        return median(values.map { abs($0 - center) })
    }
}

/// A spike as stored: consecutive unusual buckets of one series form one spike, and buckets
/// after a quiet gap of more than one bucket start a new one.
public struct Spike: Sendable, Hashable, Codable {
    public enum Scope: String, Sendable, Hashable, Codable { case project, issue }

    public var id: Int64
    public var projectID: ProjectID
    public var scope: Scope
    /// The issue, for an issue's spike.
    public var issueID: Int64?
    /// The first and the last unusual bucket's start.
    public var startedAt: Date
    public var lastAt: Date
    /// The highest count of a bucket, what was expected for it, and its score.
    public var peak: Int
    public var expected: Double
    public var score: Double
    /// Events in the spike's buckets.
    public var events: Int
    public var detectedAt: Date

    public init(id: Int64, projectID: ProjectID, scope: Scope, issueID: Int64?, startedAt: Date, lastAt: Date, peak: Int, expected: Double,
                score: Double, events: Int, detectedAt: Date) {
        self.id = id
        self.projectID = projectID
        self.scope = scope
        self.issueID = issueID
        self.startedAt = startedAt
        self.lastAt = lastAt
        self.peak = peak
        self.expected = expected
        self.score = score
        self.events = events
        self.detectedAt = detectedAt
    }

    /// Whether an unusual bucket starting at `bucket` continues this spike.
    public func continues(at bucket: Date) -> Bool {
        bucket >= startedAt && bucket.timeIntervalSince(lastAt) <= 2 * Double(SpikeDetector.bucketMilliseconds) / 1000
    }

    /// This spike with one more unusual bucket, or the same bucket judged again as it filled.
    public func extended(with assessment: SpikeDetector.Assessment) -> Spike {
        var spike = self
        spike.lastAt = max(lastAt, Date(timeIntervalSince1970: Double(assessment.bucket) / 1000))
        if assessment.observed > peak {
            spike.peak = assessment.observed
            spike.expected = assessment.expected
            spike.score = assessment.score
        }
        return spike
    }
}
