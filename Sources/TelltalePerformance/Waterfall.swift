public import SentryProtocol
public import TelltaleCore
import TelltaleIngest

/// A stored transaction's spans laid out for the waterfall: each with its depth under the
/// root, its offset from the transaction's start and its duration, in tree order.
public struct Waterfall: Sendable, Codable {
    public struct Row: Sendable, Codable, Equatable {
        public var spanID: String
        public var parentSpanID: String?
        public var op: String
        public var description: String
        public var depth: Int
        /// Milliseconds after the transaction's start.
        public var offset: Double
        public var duration: Double

        enum CodingKeys: String, CodingKey {
            case op, description, depth, offset, duration
            case spanID = "span_id", parentSpanID = "parent_span_id"
        }
    }

    public var eventID: String
    public var name: String
    public var traceID: String?
    public var duration: Double
    public var rows: [Row]
    /// Spans left out past the first `limit`.
    public var omitted: Int
    /// Problems found in these spans.
    public var problems: [String]

    enum CodingKeys: String, CodingKey {
        case name, duration, rows, omitted, problems
        case eventID = "event_id", traceID = "trace_id"
    }

    public static let limit = 1000

    /// Reads a compressed stored payload; nil when it is not a transaction.
    public init?(payload compressed: [UInt8]) {
        guard let bytes = try? PayloadCompression.decompress(compressed), let event = try? JSONParser.parse(bytes),
              let facts = try? TransactionFacts(event) else { return nil }
        self.init(event: event, facts: facts)
    }

    public init(event: JSONValue, facts: TransactionFacts) {
        eventID = event["event_id"]?.stringValue ?? ""
        name = facts.name
        traceID = event["contexts"]?["trace"]?["trace_id"]?.stringValue
        duration = facts.durationMilliseconds
        let rootID = event["contexts"]?["trace"]?["span_id"]?.stringValue
        var children: [String: [SpanFact]] = [:]
        let ids = Set(facts.spans.map(\.spanID))
        for span in facts.spans {
            // Spans whose parent is unknown hang under the root.
            let parent = span.parentSpanID.flatMap { ids.contains($0) ? $0 : nil } ?? (rootID ?? "")
            children[parent, default: []].append(span)
        }
        var rows: [Row] = []
        var stack: [(SpanFact, Int)] = (children[rootID ?? ""] ?? []).sorted { $0.start > $1.start }.map { ($0, 0) }
        var visited = Set<String>()
        while let (span, depth) = stack.popLast(), rows.count < Self.limit {
            guard visited.insert(span.spanID).inserted else { continue }
            rows.append(Row(spanID: span.spanID, parentSpanID: span.parentSpanID, op: span.op, description: span.description, depth: depth,
                            offset: max(0, (span.start - facts.start) * 1000), duration: span.durationMilliseconds))
            stack += (children[span.spanID] ?? []).sorted { $0.start > $1.start }.map { ($0, depth + 1) }
        }
        self.rows = rows
        omitted = facts.spans.count - rows.count + facts.droppedSpans
        problems = PerformanceDetector.problems(in: facts.spans).map(\.evidence)
    }
}
