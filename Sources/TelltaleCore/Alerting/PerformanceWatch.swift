import Foundation

/// A performance threshold an alert rule watches: a transaction's latency percentile above a
/// limit, its Apdex below one, or a page's web vital rated poor (on p75), over a trailing
/// window. The performance job judges every transaction (or page) against it and records a
/// detection addressed to the rule when one crosses it.
public struct PerformanceWatch: Sendable, Hashable {
    public enum Percentile: String, Sendable, Hashable, CaseIterable {
        case p50, p75, p90, p95, p99

        public var quantile: Double {
            switch self {
            case .p50: 0.5
            case .p75: 0.75
            case .p90: 0.9
            case .p95: 0.95
            case .p99: 0.99
            }
        }
    }

    public enum Measure: Sendable, Hashable {
        /// The percentile of durations over `milliseconds`.
        case latency(Percentile, above: Double)
        /// Apdex under `below` (0…1).
        case apdex(below: Double)
        /// p75 of the vital (any vital when nil) rated poor.
        case webVital(WebVital?)
    }

    public var measure: Measure
    public var windowSeconds: Int
    /// One transaction (or page) only; nil watches every one of the project's.
    public var name: String?
    /// Fewer transactions (or vital readings) than this in the window say nothing.
    public var minimumCount: Int

    public static let defaultWindowSeconds = 300
    public static let maximumWindowSeconds = 86_400

    public init(measure: Measure, windowSeconds: Int = defaultWindowSeconds, name: String? = nil, minimumCount: Int = 1) {
        self.measure = measure
        self.windowSeconds = windowSeconds
        self.name = name
        self.minimumCount = minimumCount
    }

    /// Web vitals are kept per page as `vital` rows; the other measures read transactions.
    public var readsVitals: Bool {
        if case .webVital = measure { true } else { false }
    }

    /// Why a transaction's statistics over the window cross the threshold; nil when they do not.
    public func judge(_ stats: DurationStats) -> String? {
        guard stats.count >= Int64(minimumCount) else { return nil }
        switch measure {
        case .latency(let percentile, let limit):
            guard let value = stats.sketch.quantile(percentile.quantile), value > limit else { return nil }
            return "\(percentile.rawValue) \(Self.milliseconds(value)) over \(Self.milliseconds(limit)) in \(RuleEngine.duration(windowSeconds)) (\(stats.count) transactions)"
        case .apdex(let below):
            guard let apdex = stats.apdex, apdex < below else { return nil }
            return "Apdex \(Self.fraction(apdex)) under \(Self.fraction(below)) in \(RuleEngine.duration(windowSeconds)) (\(stats.count) transactions)"
        case .webVital:
            return nil
        }
    }

    /// Why a page's vitals over the window cross the threshold; nil when none is rated poor.
    public func judge(vitals: [WebVital: DurationStats]) -> String? {
        guard case .webVital(let only) = measure else { return nil }
        let poor = WebVital.allCases.compactMap { vital -> String? in
            guard only == nil || only == vital, let stats = vitals[vital], stats.count >= Int64(minimumCount),
                  let p75 = stats.sketch.quantile(0.75), vital.rating(p75) == .poor else { return nil }
            let value = vital == .cls ? Self.fraction(p75) : Self.milliseconds(p75)
            return "\(vital.rawValue.uppercased()) p75 \(value) is poor (over \(vital == .cls ? Self.fraction(vital.poor) : Self.milliseconds(vital.poor)))"
        }
        return poor.isEmpty ? nil : poor.joined(separator: ", ") + " in \(RuleEngine.duration(windowSeconds))"
    }

    /// The condition's `type` as the API spells it.
    public var typeName: String {
        switch measure {
        case .latency: "latency_threshold"
        case .apdex: "apdex_below"
        case .webVital: "web_vital_poor"
        }
    }

    /// A short description for rule lists.
    public var summary: String {
        let scope = name.map { " of \($0)" } ?? ""
        switch measure {
        case .latency(let percentile, let limit):
            return "\(percentile.rawValue)\(scope) over \(Self.milliseconds(limit)) in \(RuleEngine.duration(windowSeconds))"
        case .apdex(let below):
            return "Apdex\(scope) under \(Self.fraction(below)) in \(RuleEngine.duration(windowSeconds))"
        case .webVital(let vital):
            return "\(vital.map { $0.rawValue.uppercased() } ?? "a web vital")\(name.map { " on \($0)" } ?? "") rated poor in \(RuleEngine.duration(windowSeconds))"
        }
    }

    static func milliseconds(_ value: Double) -> String {
        value >= 1000 ? String(format: "%.2f s", value / 1000) : "\(Int(value.rounded())) ms"
    }

    static func fraction(_ value: Double) -> String { String(format: "%.2f", value) }
}

extension PerformanceWatch {
    enum CodingKeys: String, CodingKey {
        case percentile, milliseconds, threshold, vital, transaction, page
        case windowSeconds = "window_seconds", minimumCount = "minimum_count"
    }

    /// Reads the fields of a `latency_threshold`, `apdex_below` or `web_vital_poor` condition.
    init(type: String, from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func invalid(_ reason: String) -> ValidationError { ValidationError(field: "conditions", reason: "\(type) \(reason)") }
        let window = try c.decodeIfPresent(Int.self, forKey: .windowSeconds) ?? Self.defaultWindowSeconds
        guard (60...Self.maximumWindowSeconds).contains(window) else { throw invalid("window_seconds must be between 60 and 86400") }
        let minimum = try c.decodeIfPresent(Int.self, forKey: .minimumCount) ?? 1
        guard minimum >= 1 else { throw invalid("minimum_count must be at least 1") }
        let measure: Measure
        var name: String?
        switch type {
        case "latency_threshold":
            let text = try c.decodeIfPresent(String.self, forKey: .percentile) ?? "p95"
            guard let percentile = Percentile(rawValue: text) else { throw invalid("percentile must be p50, p75, p90, p95 or p99") }
            guard let limit = try c.decodeIfPresent(Double.self, forKey: .milliseconds), limit > 0, limit.isFinite else {
                throw invalid("needs a positive milliseconds")
            }
            measure = .latency(percentile, above: limit)
            name = try c.decodeIfPresent(String.self, forKey: .transaction)
        case "apdex_below":
            guard let threshold = try c.decodeIfPresent(Double.self, forKey: .threshold), threshold > 0, threshold <= 1 else {
                throw invalid("needs a threshold above 0 and at most 1")
            }
            measure = .apdex(below: threshold)
            name = try c.decodeIfPresent(String.self, forKey: .transaction)
        default:
            let text = try c.decodeIfPresent(String.self, forKey: .vital)
            var vital: WebVital?
            if let text {
                guard let value = WebVital(rawValue: text) else { throw invalid("vital must be lcp, inp, cls, fcp, ttfb or fid") }
                vital = value
            }
            measure = .webVital(vital)
            name = try c.decodeIfPresent(String.self, forKey: .page)
        }
        if let text = name, text.isEmpty || text.count > 200 { throw invalid("names a transaction of 1 to 200 characters") }
        self.init(measure: measure, windowSeconds: window, name: name, minimumCount: minimum)
    }

    func encode(into encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch measure {
        case .latency(let percentile, let limit):
            try c.encode(percentile.rawValue, forKey: .percentile)
            try c.encode(limit, forKey: .milliseconds)
            try c.encodeIfPresent(name, forKey: .transaction)
        case .apdex(let below):
            try c.encode(below, forKey: .threshold)
            try c.encodeIfPresent(name, forKey: .transaction)
        case .webVital(let vital):
            try c.encodeIfPresent(vital?.rawValue, forKey: .vital)
            try c.encodeIfPresent(name, forKey: .page)
        }
        try c.encode(windowSeconds, forKey: .windowSeconds)
        try c.encode(minimumCount, forKey: .minimumCount)
    }
}
