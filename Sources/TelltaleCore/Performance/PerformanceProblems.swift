/// A span of a transaction, as the detectors and the span statistics read it.
public struct SpanFact: Sendable, Equatable {
    public var spanID: String
    public var parentSpanID: String?
    public var op: String
    public var description: String
    /// The span's group (`SpanGrouping.spanDescription`).
    public var group: String
    public var start: Double
    public var end: Double

    public init(spanID: String, parentSpanID: String?, op: String, description: String, start: Double, end: Double) {
        self.spanID = spanID
        self.parentSpanID = parentSpanID
        self.op = op
        self.description = description
        self.group = SpanGrouping.spanDescription(op: op, description: description)
        self.start = start
        self.end = end
    }

    public var durationMilliseconds: Double { Swift.max(0, (end - start) * 1000) }
    public var isDatabase: Bool { op == "db" || op.hasPrefix("db.") && op != "db.redis" }
    public var isHTTPClient: Bool { op == "http.client" || op == "http" }
}

/// A performance problem found in one transaction: grouped into an issue next to the errors.
public struct PerformanceProblem: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case nPlusOne = "n_plus_one_db"
        case consecutiveHTTP = "consecutive_http"
        case slowQuery = "slow_db_query"
        case regression = "performance_regression"

        public var title: String {
            switch self {
            case .nPlusOne: "N+1 Query"
            case .consecutiveHTTP: "Consecutive HTTP"
            case .slowQuery: "Slow DB Query"
            case .regression: "Performance Regression"
            }
        }
    }

    public var kind: Kind
    /// What repeats or is slow: the span group, or the transaction for a regression.
    public var subject: String
    /// `warning` or `error`.
    public var level: String
    /// The spans involved.
    public var spanIDs: [String]
    /// Their total duration.
    public var totalMilliseconds: Double
    /// What an engineer reads first.
    public var evidence: String

    /// Groups by kind, transaction and subject, as Sentry does.
    public func fingerprint(transaction: String) -> [String] { ["performance", kind.rawValue, transaction, subject] }
}

/// Thresholds of the detectors: the defaults, configurable per project.
public struct PerformanceThresholds: Sendable, Hashable, Codable {
    /// Repeated similar DB spans under one parent for an N+1.
    public var nPlusOneCount = 5
    /// Their total, in milliseconds.
    public var nPlusOneTotalMilliseconds = 50.0
    /// Sequential HTTP calls under one parent.
    public var consecutiveHTTPCount = 3
    /// The time they would save run in parallel (total − longest), in milliseconds.
    public var consecutiveHTTPSavedMilliseconds = 500.0
    /// A DB span over this is a slow query (warning)…
    public var slowQueryWarningMilliseconds = 1000.0
    /// …and over this an error.
    public var slowQueryErrorMilliseconds = 5000.0

    public init() {}

    /// Absent keys keep their defaults, so settings can name only what they change.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = PerformanceThresholds()
        nPlusOneCount = try c.decodeIfPresent(Int.self, forKey: .nPlusOneCount) ?? d.nPlusOneCount
        nPlusOneTotalMilliseconds = try c.decodeIfPresent(Double.self, forKey: .nPlusOneTotalMilliseconds) ?? d.nPlusOneTotalMilliseconds
        consecutiveHTTPCount = try c.decodeIfPresent(Int.self, forKey: .consecutiveHTTPCount) ?? d.consecutiveHTTPCount
        consecutiveHTTPSavedMilliseconds = try c.decodeIfPresent(Double.self, forKey: .consecutiveHTTPSavedMilliseconds) ?? d.consecutiveHTTPSavedMilliseconds
        slowQueryWarningMilliseconds = try c.decodeIfPresent(Double.self, forKey: .slowQueryWarningMilliseconds) ?? d.slowQueryWarningMilliseconds
        slowQueryErrorMilliseconds = try c.decodeIfPresent(Double.self, forKey: .slowQueryErrorMilliseconds) ?? d.slowQueryErrorMilliseconds
    }
}

/// Finds N+1 queries, consecutive HTTP calls and slow queries among a transaction's spans.
public enum PerformanceDetector {
    public static func problems(in spans: [SpanFact], thresholds: PerformanceThresholds = PerformanceThresholds()) -> [PerformanceProblem] {
        var found: [PerformanceProblem] = []
        var byParent: [String: [SpanFact]] = [:]
        for span in spans { byParent[span.parentSpanID ?? "", default: []].append(span) }
        for parent in byParent.keys.sorted() {
            let siblings = (byParent[parent] ?? []).sorted { $0.start < $1.start }
            found += nPlusOne(siblings, thresholds)
            if let http = consecutiveHTTP(siblings, thresholds) { found.append(http) }
        }
        found += slowQueries(spans, thresholds)
        // One problem per kind and subject per transaction.
        var seen = Set<String>()
        return found.filter { seen.insert($0.kind.rawValue + "\u{1F}" + $0.subject).inserted }
    }

    /// Runs of one query shape among the DB siblings, each starting after the previous ended.
    static func nPlusOne(_ siblings: [SpanFact], _ t: PerformanceThresholds) -> [PerformanceProblem] {
        let db = siblings.filter(\.isDatabase)
        var problems: [PerformanceProblem] = []
        var index = 0
        while index < db.count {
            var run = [db[index]]
            var next = index + 1
            while next < db.count, db[next].group == run[0].group, db[next].start >= run[run.count - 1].end - 0.000_001 {
                run.append(db[next])
                next += 1
            }
            let total = run.reduce(0) { $0 + $1.durationMilliseconds }
            if run.count >= t.nPlusOneCount, total > t.nPlusOneTotalMilliseconds {
                problems.append(PerformanceProblem(
                    kind: .nPlusOne, subject: run[0].group, level: "warning", spanIDs: run.map(\.spanID), totalMilliseconds: total,
                    evidence: "\(run.count) sequential queries of one shape took \(Int(total.rounded())) ms: \(run[0].group)"
                ))
            }
            index = next
        }
        return problems
    }

    /// At least `consecutiveHTTPCount` non-overlapping HTTP calls that would save time in parallel.
    static func consecutiveHTTP(_ siblings: [SpanFact], _ t: PerformanceThresholds) -> PerformanceProblem? {
        let http = siblings.filter(\.isHTTPClient)
        var best: [SpanFact] = []
        var run: [SpanFact] = []
        for span in http {
            if let last = run.last, span.start < last.end - 0.000_001 { run = [] }
            run.append(span)
            if run.count > best.count { best = run }
        }
        guard best.count >= t.consecutiveHTTPCount else { return nil }
        let durations = best.map(\.durationMilliseconds)
        let total = durations.reduce(0, +)
        guard total - (durations.max() ?? 0) >= t.consecutiveHTTPSavedMilliseconds else { return nil }
        let hosts = Set(best.map { $0.group }).sorted().joined(separator: ", ")
        return PerformanceProblem(
            kind: .consecutiveHTTP, subject: hosts, level: "warning", spanIDs: best.map(\.spanID), totalMilliseconds: total,
            evidence: "\(best.count) HTTP calls one after another took \(Int(total.rounded())) ms; in parallel they would take \(Int((durations.max() ?? 0).rounded())) ms"
        )
    }

    static func slowQueries(_ spans: [SpanFact], _ t: PerformanceThresholds) -> [PerformanceProblem] {
        spans.filter { $0.isDatabase && $0.durationMilliseconds > t.slowQueryWarningMilliseconds }.map { span in
            let ms = span.durationMilliseconds
            return PerformanceProblem(
                kind: .slowQuery, subject: span.group, level: ms > t.slowQueryErrorMilliseconds ? "error" : "warning", spanIDs: [span.spanID],
                totalMilliseconds: ms, evidence: "A query took \(Int(ms.rounded())) ms: \(span.group)"
            )
        }
    }
}
