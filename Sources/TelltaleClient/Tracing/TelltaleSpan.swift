import Foundation
public import SentryProtocol
import Synchronization
public import Tracing

/// What ties a span into its trace, carried in the service context from parent to child.
struct TraceLink: Sendable {
    var traceID: String
    var spanID: String
    var sampled: Bool
    /// The trace's local root collects its children; nil for a parent from another process.
    var recorder: TraceRecorder?
}

enum TraceLinkKey: ServiceContextKey {
    typealias Value = TraceLink
}

/// Collects a trace's finished spans until its local root ends (bounded: Sentry keeps 1,000).
final class TraceRecorder: Sendable {
    static let limit = 1_000
    static let unsampled = TraceRecorder()
    private let spans = Mutex<(kept: [JSONObject], dropped: Int)>(([], 0))

    func add(_ span: JSONObject) {
        spans.withLock { state in
            if state.kept.count < Self.limit { state.kept.append(span) } else { state.dropped += 1 }
        }
    }

    func take() -> (kept: [JSONObject], dropped: Int) { spans.withLock { state in defer { state = ([], 0) }; return state } }
}

/// A span of a swift-distributed-tracing trace. Children are kept by their trace's root; the
/// root, when it ends, becomes a Sentry transaction with them as its spans.
public final class TelltaleSpan: Span {
    struct State {
        var operationName: String
        var attributes = SpanAttributes()
        var status: SpanStatus?
        var events: [SpanEvent] = []
        var ended = false
        var request: JSONObject = [:]
    }

    public let context: ServiceContext
    let client: TelltaleClient
    let kind: SpanKind
    let link: TraceLink
    let parentSpanID: String?
    /// Whether this span is where its trace entered this process (a transaction when it ends).
    let isRoot: Bool
    let start: UInt64
    private let state: Mutex<State>

    init(operationName: String, context: ServiceContext, client: TelltaleClient, kind: SpanKind, link: TraceLink, parentSpanID: String?, isRoot: Bool, start: UInt64) {
        self.context = context
        self.client = client
        self.kind = kind
        self.link = link
        self.parentSpanID = parentSpanID
        self.isRoot = isRoot
        self.start = start
        state = Mutex(State(operationName: operationName))
    }

    public var traceID: String { link.traceID }
    public var spanID: String { link.spanID }

    public var operationName: String {
        get { state.withLock { $0.operationName } }
        set { state.withLock { $0.operationName = newValue } }
    }

    public var attributes: SpanAttributes {
        get { state.withLock { $0.attributes } }
        set { state.withLock { $0.attributes = newValue } }
    }

    public var isRecording: Bool { link.sampled && !state.withLock { $0.ended } }

    public func setStatus(_ status: SpanStatus) { state.withLock { $0.status = status } }

    public func addEvent(_ event: SpanEvent) { state.withLock { $0.events.append(event) } }

    public func recordError<Instant: TracerInstant>(_ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant) {
        state.withLock { state in
            state.status = SpanStatus(code: .error, message: String(describing: type(of: error)))
            state.attributes.set("error.type", value: .string(String(describing: type(of: error))))
        }
    }

    public func addLink(_ link: SpanLink) {}

    /// The request a server span answered (method, URL, headers), for the transaction.
    public func setRequest(_ request: JSONObject) { state.withLock { $0.request = request } }

    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        let end = instant().nanosecondsSinceEpoch
        guard let finished = state.withLock({ state -> State? in
            guard !state.ended else { return nil }
            state.ended = true
            return state
        }), link.sampled else { return }
        let span = SpanRendering(span: self, state: finished, end: end)
        if isRoot {
            let children = link.recorder?.take() ?? (kept: [], dropped: 0)
            client.captureTrace(span.transaction(children: children.kept, droppedSpans: children.dropped))
        } else {
            link.recorder?.add(span.child())
        }
    }
}

/// A finished span in Sentry's JSON: as a child span, or as a transaction with its children.
struct SpanRendering {
    let span: TelltaleSpan
    let state: TelltaleSpan.State
    let end: UInt64

    var op: String {
        if case .string(let op)? = state.attributes.get("sentry.op") { return op }
        if state.attributes.get("db.system") != nil || state.attributes.get("db.system.name") != nil { return "db" }
        switch span.kind {
        case .server: return "http.server"
        case .client: return state.attributes.get("http.request.method") != nil || state.attributes.get("http.method") != nil ? "http.client" : "rpc"
        case .producer: return "queue.publish"
        case .consumer: return "queue.process"
        default: return "function"
        }
    }

    /// What the span did: the query for a database span, method and URL for an HTTP call.
    var description: String {
        for key in ["db.query.text", "db.statement"] { if let text = Self.text(state.attributes.get(key)) { return text } }
        if span.kind == .client, let method = Self.text(state.attributes.get("http.request.method") ?? state.attributes.get("http.method")),
           let url = Self.text(state.attributes.get("url.full") ?? state.attributes.get("http.url")) {
            return "\(method) \(url)"
        }
        return state.operationName
    }

    var status: String {
        if let code = Self.integer(state.attributes.get("http.response.status_code") ?? state.attributes.get("http.status_code")) {
            return EventBuilder.spanStatus(Int(code))
        }
        return state.status?.code == .error ? "internal_error" : "ok"
    }

    var data: JSONObject {
        var data = JSONObject()
        state.attributes.forEach { key, value in
            guard key != "sentry.op" else { return }
            data[key] = Self.json(value)
        }
        return data
    }

    func child() -> JSONObject {
        var json: JSONObject = [
            "trace_id": .string(span.traceID), "span_id": .string(span.spanID), "op": .string(op), "description": .string(description),
            "start_timestamp": .double(Double(span.start) / 1e9), "timestamp": .double(Double(end) / 1e9), "status": .string(status),
        ]
        if let parent = span.parentSpanID { json["parent_span_id"] = .string(parent) }
        let data = data
        if !data.isEmpty { json["data"] = .object(data) }
        return json
    }

    func transaction(children: [JSONObject], droppedSpans: Int) -> TraceTransaction {
        var trace: JSONObject = ["trace_id": .string(span.traceID), "span_id": .string(span.spanID), "op": .string(op), "status": .string(status)]
        if let parent = span.parentSpanID { trace["parent_span_id"] = .string(parent) }
        let data = data
        if !data.isEmpty { trace["data"] = .object(data) }
        return TraceTransaction(name: state.operationName, start: Date(timeIntervalSince1970: Double(span.start) / 1e9),
                                end: Date(timeIntervalSince1970: Double(end) / 1e9), trace: trace, spans: children, request: state.request,
                                droppedSpans: droppedSpans)
    }

    static func text(_ attribute: SpanAttribute?) -> String? {
        switch attribute {
        case .string(let text)?: text
        case .stringConvertible(let value)?: value.description
        default: nil
        }
    }

    static func integer(_ attribute: SpanAttribute?) -> Int64? {
        switch attribute {
        case .int64(let value)?: value
        case .int32(let value)?: Int64(value)
        default: nil
        }
    }

    static func json(_ attribute: SpanAttribute) -> JSONValue {
        switch attribute {
        case .int32(let value): .int(Int64(value))
        case .int64(let value): .int(value)
        case .double(let value): .double(value)
        case .bool(let value): .bool(value)
        case .string(let value): .string(value)
        case .stringConvertible(let value): .string(value.description)
        case .int32Array(let values): .array(values.map { .int(Int64($0)) })
        case .int64Array(let values): .array(values.map { .int($0) })
        case .doubleArray(let values): .array(values.map { .double($0) })
        case .boolArray(let values): .array(values.map { .bool($0) })
        case .stringArray(let values): .array(values.map { .string($0) })
        case .stringConvertibleArray(let values): .array(values.map { .string($0.description) })
        default: .null
        }
    }
}

/// A trace's root span, ready to be sent as a transaction.
struct TraceTransaction: Sendable {
    var name: String
    var start: Date
    var end: Date
    var trace: JSONObject
    var spans: [JSONObject]
    var request: JSONObject
    var droppedSpans: Int
}
