public import SentryProtocol

/// What the performance views read from one normalized transaction: its grouped name,
/// timing, outcome, user, measurements, segments and spans.
public struct TransactionFacts: Sendable {
    public var name: String
    public var op: String?
    public var status: String?
    public var start: Double
    public var end: Double
    public var userKey: String?
    /// Numeric measurements by name (`lcp`, `cls`, custom ones); values in their unit.
    public var measurements: [String: Double]
    /// Segments of the web vitals: `device`, `browser`, `connection`, `country`.
    public var segments: [String: String]
    public var spans: [SpanFact]
    /// Spans past `maxSpans` and measurements that were not numbers, left out.
    public var droppedSpans: Int
    public var droppedMeasurements: Int

    /// Spans read per transaction; the rest stay in the stored payload.
    public static let maxSpans = 2000
    /// A transaction longer than a day is a clock error, not a measurement.
    public static let maxDuration = 86_400.0

    public var durationMilliseconds: Double { (end - start) * 1000 }

    /// Failed as Sentry counts it: a status other than ok, cancelled or unknown.
    public var failed: Bool {
        guard let status else { return false }
        return !["ok", "cancelled", "unknown"].contains(status)
    }

    public init(name: String, op: String? = nil, status: String? = nil, start: Double, end: Double, userKey: String? = nil,
                measurements: [String: Double] = [:], segments: [String: String] = [:], spans: [SpanFact] = []) {
        self.name = name
        self.op = op
        self.status = status
        self.start = start
        self.end = end
        self.userKey = userKey
        self.measurements = measurements
        self.segments = segments
        self.spans = spans
        droppedSpans = 0
        droppedMeasurements = 0
    }

    /// Reads a normalized transaction; throws for one without a start, ending before it began, or lasting over a day.
    public init(_ event: JSONValue) throws(ValidationError) {
        guard let start = Timestamps.seconds(event["start_timestamp"]) else {
            throw ValidationError(field: "start_timestamp", reason: "is missing")
        }
        guard let end = Timestamps.seconds(event["timestamp"]) else { throw ValidationError(field: "timestamp", reason: "is missing") }
        guard end >= start else { throw ValidationError(field: "timestamp", reason: "is before start_timestamp") }
        guard end - start <= Self.maxDuration else { throw ValidationError(field: "timestamp", reason: "is more than a day after start_timestamp") }
        let trace = event["contexts"]?["trace"]
        self.init(
            name: SpanGrouping.transactionName(event["transaction"]?.stringValue ?? "<unlabeled transaction>",
                                               source: event["transaction_info"]?["source"]?.stringValue),
            op: trace?["op"]?.stringValue, status: trace?["status"]?.stringValue, start: start, end: end
        )
        let user = event["user"]
        userKey = (user?["id"]?.scalarText ?? user?["email"]?.stringValue ?? user?["username"]?.stringValue ?? user?["ip_address"]?.stringValue)
            .map { String($0.prefix(200)) }
        if case .object(let members) = event["measurements"] ?? .null {
            for (key, value) in members {
                if let number = value["value"]?.doubleValue ?? value.doubleValue, number.isFinite, number >= 0 {
                    measurements[String(key.lowercased().prefix(64))] = number
                } else {
                    droppedMeasurements += 1
                }
            }
        }
        segments = Self.segments(event)
        let rawSpans = event["spans"]?.arrayValue ?? []
        droppedSpans = Swift.max(0, rawSpans.count - Self.maxSpans)
        spans = rawSpans.prefix(Self.maxSpans).compactMap { span in
            guard let begin = Timestamps.seconds(span["start_timestamp"]), let finish = Timestamps.seconds(span["timestamp"]), finish >= begin
            else { return nil }
            return SpanFact(
                spanID: span["span_id"]?.stringValue ?? "", parentSpanID: span["parent_span_id"]?.stringValue,
                op: String((span["op"]?.stringValue ?? "default").prefix(64)), description: String((span["description"]?.stringValue ?? "").prefix(2000)),
                start: begin, end: finish
            )
        }
    }

    static func segments(_ event: JSONValue) -> [String: String] {
        var result: [String: String] = [:]
        let tags = event["tags"]
        let contexts = event["contexts"]
        var agent: String?
        if case .object(let headers) = event["request"]?["headers"] ?? .null {
            agent = headers.first { $0.key.lowercased() == "user-agent" }?.value.stringValue
        }
        if let agent {
            let parsed = UserAgent(agent)
            result["device"] = parsed.device
            result["browser"] = parsed.browser
        }
        if let family = contexts?["device"]?["family"]?.stringValue, result["device"] == nil { result["device"] = family.lowercased() }
        if let name = contexts?["browser"]?["name"]?.stringValue, result["browser"] == nil { result["browser"] = name }
        let connection = tags?["effectiveConnectionType"]?.scalarText ?? tags?["connection.type"]?.scalarText
            ?? contexts?["connection"]?["effective_type"]?.stringValue ?? tags?["connectionType"]?.scalarText
        if let connection { result["connection"] = connection }
        if let country = event["user"]?["geo"]?["country_code"]?.stringValue ?? tags?["country"]?.scalarText { result["country"] = country.uppercased() }
        return result.mapValues { String($0.prefix(64)) }
    }

    /// The web vitals among the measurements (INP also from FID's absence being explicit).
    public var vitals: [WebVital: Double] {
        var found: [WebVital: Double] = [:]
        for vital in WebVital.allCases {
            if let value = measurements[vital.rawValue] ?? measurements["web.vitals.\(vital.rawValue)"] { found[vital] = value }
        }
        return found
    }
}
