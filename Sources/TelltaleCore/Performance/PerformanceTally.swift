/// What a row of performance statistics describes.
public enum PerformanceKind: String, Sendable, CaseIterable, Codable {
    /// A transaction name's durations (Apdex zones in good / fair).
    case transaction
    /// Per transaction name and span op: the op's time in each transaction.
    case spanOp = "span_op"
    /// A span group (name) by op (detail): each span's duration.
    case span
    /// A page's (transaction's) web vital (detail), per segment; ratings in good / fair.
    case vital
    /// A custom measurement (detail) of a transaction.
    case measurement
    /// A metric sent through the API (name), unit in detail.
    case metric
}

/// One row's identity: project, kind, names, segment, environment, release and minute.
public struct PerformanceKey: Hashable, Sendable {
    public var projectID: Int64
    public var kind: PerformanceKind
    public var name: String
    public var detail: String
    public var segment: String
    public var environment: String
    public var release: String
    /// Start of the bucket, milliseconds since 1970.
    public var bucket: Int64

    public init(projectID: Int64, kind: PerformanceKind, name: String, detail: String = "", segment: String = "",
                environment: String = "", release: String = "", bucket: Int64) {
        self.projectID = projectID
        self.kind = kind
        self.name = name
        self.detail = detail
        self.segment = segment
        self.environment = environment
        self.release = release
        self.bucket = bucket
    }

    /// The same key in a coarser bucket.
    public func rebucketed(_ granularity: Int64) -> PerformanceKey {
        var key = self
        key.bucket = bucket / granularity * granularity
        return key
    }
}

/// Folds a batch of transactions into per-minute statistics rows: the ingest writer stores
/// the result as it is (one row per key and batch) and the rollup job merges rows later.
public struct PerformanceTally: Sendable {
    public static let minute: Int64 = 60_000
    public static let hour: Int64 = 3_600_000
    public static let day: Int64 = 86_400_000

    public private(set) var stats: [PerformanceKey: DurationStats] = [:]

    public init() {}

    /// Adds one transaction. `rename` maps a (kind, name) to the name stored (the cardinality cap).
    public mutating func add(_ facts: TransactionFacts, projectID: Int64, eventID: String, environment: String?, release: String?,
                             threshold: Double, rename: (PerformanceKind, String) -> String = { $1 }) {
        let bucket = Int64((facts.end * 1000).rounded(.down)) / Self.minute * Self.minute
        let env = environment ?? "", rel = release ?? ""
        let name = rename(.transaction, facts.name)
        func key(_ kind: PerformanceKind, _ name: String, _ detail: String = "", _ segment: String = "") -> PerformanceKey {
            PerformanceKey(projectID: projectID, kind: kind, name: name, detail: detail, segment: segment, environment: env, release: rel, bucket: bucket)
        }
        let duration = facts.durationMilliseconds
        let zone = Apdex.zone(durationMilliseconds: duration, threshold: threshold)
        let transactionKey = key(.transaction, name)
        stats[transactionKey, default: DurationStats()]
            .add(duration, failed: facts.failed, good: zone == .satisfied, fair: zone == .tolerable, eventID: eventID)
        if let user = facts.userKey {
            let hash = UserSketch.hash(user)
            stats[transactionKey]!.users.add(hash)
            if zone == .frustrated { stats[transactionKey]!.miserableUsers.add(hash) }
        }
        var opTime: [String: Double] = [:]
        for span in facts.spans {
            opTime[span.op, default: 0] += span.durationMilliseconds
            let group = rename(.span, span.group)
            stats[key(.span, group, span.op), default: DurationStats()]
                .add(span.durationMilliseconds, good: false, fair: false, eventID: eventID)
        }
        for (op, total) in opTime {
            stats[key(.spanOp, name, op), default: DurationStats()].add(total, good: false, fair: false, eventID: eventID)
        }
        let vitals = facts.vitals
        for (vital, value) in vitals {
            let rating = vital.rating(value)
            var segments = [""]
            for dimension in ["device", "browser", "connection", "country"] {
                if let segment = facts.segments[dimension] { segments.append("\(dimension):\(segment)") }
            }
            for segment in segments {
                stats[key(.vital, name, vital.rawValue, segment), default: DurationStats()]
                    .add(value, good: rating == .good, fair: rating == .needsImprovement, eventID: eventID)
            }
        }
        for (measurement, value) in facts.measurements where !vitals.keys.contains(where: { $0.rawValue == measurement }) {
            stats[key(.measurement, name, measurement), default: DurationStats()].add(value, good: false, fair: false, eventID: eventID)
        }
    }

    /// Renames the rows of one kind (the cardinality cap), merging rows that come to share a key.
    public mutating func rename(_ kind: PerformanceKind, _ map: (String) -> String) {
        var renamed: [PerformanceKey: DurationStats] = [:]
        for (key, value) in stats {
            var target = key
            if key.kind == kind { target.name = map(key.name) }
            renamed[target, default: DurationStats()].merge(value)
        }
        stats = renamed
    }

    /// Adds one metric sent through the API.
    public mutating func addMetric(projectID: Int64, name: String, unit: String, value: Double, timestamp: Double, segment: String = "",
                                   environment: String?, release: String?) {
        let bucket = Int64((timestamp * 1000).rounded(.down)) / Self.minute * Self.minute
        let key = PerformanceKey(projectID: projectID, kind: .metric, name: name, detail: unit, segment: segment,
                                 environment: environment ?? "", release: release ?? "", bucket: bucket)
        stats[key, default: DurationStats()].add(value, good: false, fair: false, eventID: nil)
    }
}

/// Which stored resolution answers which part of a window: hourly rows for up to two days,
/// daily rows for the whole days of longer windows (hourly rows at their ends), so a query
/// over seven days or more never reads minutes or raw transactions. Minutes not yet rolled
/// up are read on top. Windows start at the hour.
public enum RollupPlan {
    public struct Part: Sendable, Equatable {
        public var granularity: Int64
        public var from: Int64
        public var to: Int64

        public init(granularity: Int64, from: Int64, to: Int64) {
            self.granularity = granularity
            self.from = from
            self.to = to
        }
    }

    public static let hourlyUpTo: Int64 = 2 * PerformanceTally.day

    public static func parts(from: Int64, to: Int64) -> [Part] {
        let hour = PerformanceTally.hour, day = PerformanceTally.day
        let start = from / hour * hour
        guard to > start else { return [] }
        guard to - start > hourlyUpTo else { return [Part(granularity: hour, from: start, to: to)] }
        let firstDay = (start + day - 1) / day * day
        let lastDay = to / day * day
        return [
            Part(granularity: hour, from: start, to: firstDay),
            Part(granularity: day, from: firstDay, to: lastDay),
            Part(granularity: hour, from: lastDay, to: to),
        ].filter { $0.to > $0.from }
    }

    /// The start of every point of width `resolution` in `[from, to)`, empty ones included.
    public static func buckets(from: Int64, to: Int64, resolution: Int64) -> StrideTo<Int64> {
        stride(from: from / resolution * resolution, to: to, by: Int(resolution))
    }

    /// The width of a chart's points for a window: minutes up to six hours, hours up to fourteen days, then days.
    public static func resolution(from: Int64, to: Int64) -> Int64 {
        let span = to - from
        if span <= 6 * PerformanceTally.hour { return PerformanceTally.minute }
        return span <= 14 * PerformanceTally.day ? PerformanceTally.hour : PerformanceTally.day
    }
}
