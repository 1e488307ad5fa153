public import Foundation
public import TelltaleCore

/// A transaction name's figures over a window: what the table and the API list.
public struct TransactionRow: Sendable, Codable, Equatable {
    public var name: String
    public var count: Int64
    public var tpm: Double
    public var failureRate: Double
    public var p50: Double?
    public var p75: Double?
    public var p90: Double?
    public var p95: Double?
    public var p99: Double?
    public var apdex: Double?
    public var userMisery: Double?
    public var users: Int64
    public var miserableUsers: Int64
    public var threshold: Double

    enum CodingKeys: String, CodingKey {
        case name, count, tpm, p50, p75, p90, p95, p99, apdex, users, threshold
        case failureRate = "failure_rate", userMisery = "user_misery", miserableUsers = "miserable_users"
    }

    public init(name: String, stats: DurationStats, minutes: Double, threshold: Double) {
        self.name = name
        count = stats.count
        tpm = Double(stats.count) / minutes
        failureRate = stats.failureRate ?? 0
        let q = stats.sketch.quantiles([0.5, 0.75, 0.9, 0.95, 0.99])
        (p50, p75, p90, p95, p99) = (q[0], q[1], q[2], q[3], q[4])
        apdex = stats.apdex
        users = stats.users.count
        miserableUsers = stats.miserableUsers.count
        userMisery = stats.userMisery
        self.threshold = threshold
    }

    /// Sorts by a column (`-p95` descending, `count` ascending); unknown columns sort by count, descending.
    public static func sorted(_ rows: [TransactionRow], by sort: String?) -> [TransactionRow] {
        let text = sort ?? "-count"
        let descending = text.hasPrefix("-")
        let column = descending ? String(text.dropFirst()) : text
        func value(_ row: TransactionRow) -> Double {
            switch column {
            case "tpm": row.tpm
            case "failure_rate": row.failureRate
            case "p50": row.p50 ?? 0
            case "p75": row.p75 ?? 0
            case "p90": row.p90 ?? 0
            case "p95": row.p95 ?? 0
            case "p99": row.p99 ?? 0
            case "apdex": row.apdex ?? 0
            case "user_misery": row.userMisery ?? 0
            case "users": Double(row.users)
            default: Double(row.count)
            }
        }
        if column == "name" { return rows.sorted { descending ? $0.name > $1.name : $0.name < $1.name } }
        return rows.sorted { a, b in
            let (x, y) = (value(a), value(b))
            return x == y ? a.name < b.name : (descending ? x > y : x < y)
        }
    }

    public static let sortColumns = ["name", "count", "tpm", "failure_rate", "p50", "p75", "p95", "p99", "apdex", "user_misery"]
}

/// A point of a chart.
public struct SeriesPoint: Sendable, Codable, Equatable {
    public var time: Date
    public var count: Int64
    public var p50: Double?
    public var p95: Double?
    public var failureRate: Double?
    public var apdex: Double?

    enum CodingKeys: String, CodingKey {
        case time, count, p50, p95, apdex
        case failureRate = "failure_rate"
    }

    public init(time: Date, stats: DurationStats) {
        self.time = time
        count = stats.count
        let q = stats.sketch.quantiles([0.5, 0.95])
        p50 = q[0]
        p95 = q[1]
        failureRate = stats.failureRate
        apdex = stats.apdex
    }
}

/// A span group's figures: the slow-queries table.
public struct SpanRow: Sendable, Codable, Equatable {
    public var op: String
    public var description: String
    public var count: Int64
    public var p50: Double?
    public var p95: Double?
    public var p99: Double?
    public var totalMilliseconds: Double
    public var maxMilliseconds: Double?
    public var exampleEventID: String?
    /// `warning` past the slow-query warning threshold at p95, `error` past the error one.
    public var level: String?

    enum CodingKeys: String, CodingKey {
        case op, description, count, p50, p95, p99, level
        case totalMilliseconds = "total_ms", maxMilliseconds = "max_ms", exampleEventID = "example_event_id"
    }

    public init(op: String, description: String, stats: DurationStats, thresholds: PerformanceThresholds?) {
        self.op = op
        self.description = description
        count = stats.count
        let q = stats.sketch.quantiles([0.5, 0.95, 0.99])
        (p50, p95, p99) = (q[0], q[1], q[2])
        totalMilliseconds = stats.sketch.sum
        maxMilliseconds = stats.sketch.isEmpty ? nil : stats.sketch.max
        exampleEventID = stats.exampleEventID
        if let thresholds, let p95 {
            level = p95 > thresholds.slowQueryErrorMilliseconds ? "error" : p95 > thresholds.slowQueryWarningMilliseconds ? "warning" : nil
        }
    }
}

/// One vital's p75, rating and shares.
public struct VitalRow: Sendable, Codable, Equatable {
    public var vital: String
    public var p75: Double?
    public var rating: String?
    public var count: Int64
    public var good: Double
    public var needsImprovement: Double
    public var poor: Double
    public var goodThreshold: Double
    public var poorThreshold: Double

    enum CodingKeys: String, CodingKey {
        case vital, p75, rating, count, good, poor
        case needsImprovement = "needs_improvement", goodThreshold = "good_threshold", poorThreshold = "poor_threshold"
    }

    public init(vital: WebVital, stats: DurationStats) {
        self.vital = vital.rawValue
        p75 = stats.sketch.quantile(0.75)
        rating = p75.map { vital.rating($0).rawValue }
        count = stats.count
        let shares = stats.shares ?? (0, 0, 0)
        (good, needsImprovement, poor) = (shares.good, shares.fair, shares.poor)
        goodThreshold = vital.good
        poorThreshold = vital.poor
    }
}
