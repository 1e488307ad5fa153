import Foundation
public import TelltaleCore

/// The performance views' figures, built from the statistics repository: the transactions
/// table, one transaction's page, slow spans, web vitals and releases. Shared by the API and
/// the dashboard.
public struct PerformanceReports: Sendable {
    let repositories: Repositories

    public init(repositories: Repositories) {
        self.repositories = repositories
    }

    var performance: any PerformanceRepository { repositories.performance }

    public func transactions(_ project: Project, _ window: PerformanceWindow, sort: String? = nil) async throws -> [TransactionRow] {
        let stats = try await performance.stats(window.query(project.id, .transaction))
        let settings = project.settings.performance
        let rows = stats.map { key, value in
            TransactionRow(name: key.name, stats: value, minutes: window.minutes, threshold: settings.threshold(for: key.name))
        }
        return TransactionRow.sorted(rows, by: sort)
    }

    /// A transaction's page: its figures, chart points, duration histogram, time per span op, slowest spans and samples.
    public struct TransactionDetail: Sendable, Codable {
        public var summary: TransactionRow
        public var series: [SeriesPoint]
        public var resolutionSeconds: Int64
        public var histogram: [HistogramBar]
        public var operations: [OperationShare]
        public var slowestSpans: [SpanRow]
        public var samples: [TransactionSample]
        public var vitals: [VitalRow]

        enum CodingKeys: String, CodingKey {
            case summary, series, histogram, operations, samples, vitals
            case resolutionSeconds = "resolution_seconds", slowestSpans = "slowest_spans"
        }
    }

    public struct HistogramBar: Sendable, Codable, Equatable {
        public var lower: Double
        public var upper: Double
        public var count: UInt64
    }

    public struct OperationShare: Sendable, Codable, Equatable {
        public var op: String
        public var transactions: Int64
        public var meanMilliseconds: Double
        public var p95: Double?
        /// The op's share of the time spent in spans.
        public var share: Double

        enum CodingKeys: String, CodingKey {
            case op, transactions, p95, share
            case meanMilliseconds = "mean_ms"
        }
    }

    public func transaction(_ project: Project, name: String, _ window: PerformanceWindow) async throws -> TransactionDetail? {
        let totals = try await performance.stats(window.query(project.id, .transaction, name: name, groupBy: []))
        guard let stats = totals.values.first, stats.count > 0 else { return nil }
        let settings = project.settings.performance
        let resolution = RollupPlan.resolution(from: window.fromMilliseconds, to: window.toMilliseconds)
        let points = try await performance.stats(window.query(project.id, .transaction, name: name, resolution: resolution, groupBy: []))
        let ops = try await performance.stats(window.query(project.id, .spanOp, name: name, groupBy: [.detail]))
        let opTotal = ops.values.reduce(0) { $0 + $1.sketch.sum }
        // The slowest samples: each chart point's slowest example (a minute's, an hour's or a
        // day's), the ten slowest of them, read by id; no scan of raw transactions.
        let examples = points.values.compactMap { stats in stats.exampleEventID.map { ($0, stats.exampleValue) } }
            .sorted { $0.1 > $1.1 }.prefix(10).map(\.0)
        let samples = try await performance.samples(projectID: project.id.rawValue, eventIDs: Array(examples))
            .sorted { $0.durationMilliseconds > $1.durationMilliseconds }
        let vitals = try await performance.stats(window.query(project.id, .vital, name: name, groupBy: [.detail]))
        var spans: [SpanRow] = []
        if let slowest = samples.first, let stored = try await performance.transaction(projectID: project.id.rawValue, eventID: slowest.eventID) {
            spans = Waterfall(payload: stored.payload)?.rows.sorted { $0.duration > $1.duration }.prefix(10).map { row in
                var stats = DurationStats()
                stats.add(row.duration, good: false, fair: false, eventID: slowest.eventID)
                return SpanRow(op: row.op, description: row.description, stats: stats, thresholds: nil)
            } ?? []
        }
        return TransactionDetail(
            summary: TransactionRow(name: name, stats: stats, minutes: window.minutes, threshold: settings.threshold(for: name)),
            series: Self.fill(points, from: window.fromMilliseconds, to: window.toMilliseconds, resolution: resolution),
            resolutionSeconds: resolution / 1000,
            histogram: stats.sketch.histogram(buckets: 20).map { HistogramBar(lower: $0.lower, upper: $0.upper, count: $0.count) },
            operations: ops.sorted { $0.value.sketch.sum > $1.value.sketch.sum }.map { key, value in
                OperationShare(op: key.detail, transactions: value.count, meanMilliseconds: value.sketch.mean ?? 0, p95: value.sketch.quantile(0.95),
                               share: opTotal > 0 ? value.sketch.sum / opTotal : 0)
            },
            slowestSpans: spans, samples: samples,
            vitals: WebVital.allCases.compactMap { vital in vitals.first { $0.key.detail == vital.rawValue }.map { VitalRow(vital: vital, stats: $0.value) } }
        )
    }

    /// Chart points for every bucket of the window, empty ones included.
    public static func fill(_ points: [PerformanceKey: DurationStats], from: Int64, to: Int64, resolution: Int64) -> [SeriesPoint] {
        let byBucket = Dictionary(points.map { ($0.key.bucket, $0.value) }, uniquingKeysWith: { a, _ in a })
        return RollupPlan.buckets(from: from, to: to, resolution: resolution).map { bucket in
            SeriesPoint(time: Date(timeIntervalSince1970: Double(bucket) / 1000), stats: byBucket[bucket] ?? DurationStats())
        }
    }

    /// Span groups by total time (or `sort`), optionally of one op family (`db` includes `db.sql.query`).
    public func spans(_ project: Project, _ window: PerformanceWindow, op: String?, sort: String?, limit: Int = 50) async throws -> [SpanRow] {
        let stats = try await performance.stats(window.query(project.id, .span, groupBy: [.name, .detail]))
        let thresholds = project.settings.performance.problems
        let rows = stats.filter { key, _ in
            guard let op, !op.isEmpty else { return true }
            return key.detail == op || key.detail.hasPrefix(op + ".")
        }.map { key, value in
            SpanRow(op: key.detail, description: key.name, stats: value, thresholds: key.detail.hasPrefix("db") ? thresholds : nil)
        }
        let sorted: [SpanRow] = switch sort ?? "-total" {
        case "-p95": rows.sorted { ($0.p95 ?? 0, $0.description) > ($1.p95 ?? 0, $1.description) }
        case "-count": rows.sorted { ($0.count, $0.description) > ($1.count, $1.description) }
        default: rows.sorted { ($0.totalMilliseconds, $0.description) > ($1.totalMilliseconds, $1.description) }
        }
        return Array(sorted.prefix(limit))
    }
}
