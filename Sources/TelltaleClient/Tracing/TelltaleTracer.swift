import Foundation
public import Tracing

/// A swift-distributed-tracing `Tracer` that reports to Telltale: the span where a trace
/// enters the process (a request, a job) becomes a transaction, and the spans started inside
/// it (PostgresNIO queries, AsyncHTTPClient calls, your own `withSpan`) become its spans, so
/// they show in the performance views. Bootstrap it once:
/// `InstrumentationSystem.bootstrap(TelltaleTracer(client: telltale))`.
///
/// Traces are sampled at their root by `tracesSampleRate`; an unsampled trace still carries
/// its ids to children and outgoing requests (`sentry-trace` and W3C `traceparent`).
public struct TelltaleTracer: Tracer {
    public typealias Span = TelltaleSpan
    let client: TelltaleClient

    public init(client: TelltaleClient) {
        self.client = client
    }

    public func startSpan<Instant: TracerInstant>(_ operationName: String, context: @autoclosure () -> ServiceContext, ofKind kind: SpanKind,
                                                  at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt) -> TelltaleSpan {
        var context = context()
        let parent = context[TraceLinkKey.self]
        let spanID = TelltaleClient.spanID()
        // A parent in this process shares its recorder; otherwise this span is the local root.
        let isRoot = parent?.recorder == nil
        let sampled = parent?.sampled ?? client.sampleTrace()
        // An unsampled trace records nothing: its spans share one recorder that is never filled.
        let link = TraceLink(traceID: parent?.traceID ?? TelltaleClient.eventID(), spanID: spanID, sampled: sampled,
                             recorder: parent?.recorder ?? (sampled ? TraceRecorder() : TraceRecorder.unsampled))
        context[TraceLinkKey.self] = link
        return TelltaleSpan(operationName: operationName, context: context, client: client, kind: kind, link: link, parentSpanID: parent?.spanID,
                            isRoot: isRoot, start: instant().nanosecondsSinceEpoch)
    }

    public func forceFlush() {}

    /// Reads a trace started elsewhere from `sentry-trace` (`trace-span-sampled`) or W3C `traceparent`.
    public func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract)
    where Extract.Carrier == Carrier {
        if let header = extractor.extract(key: "sentry-trace", from: carrier), let link = Self.parse(sentryTrace: header) {
            context[TraceLinkKey.self] = link
        } else if let header = extractor.extract(key: "traceparent", from: carrier), let link = Self.parse(traceparent: header) {
            context[TraceLinkKey.self] = link
        }
    }

    /// Writes the current trace into an outgoing request's headers.
    public func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject)
    where Inject.Carrier == Carrier {
        guard let link = context[TraceLinkKey.self] else { return }
        injector.inject("\(link.traceID)-\(link.spanID)-\(link.sampled ? 1 : 0)", forKey: "sentry-trace", into: &carrier)
        injector.inject("00-\(link.traceID)-\(link.spanID)-0\(link.sampled ? 1 : 0)", forKey: "traceparent", into: &carrier)
    }

    static func parse(sentryTrace header: String) -> TraceLink? {
        let parts = header.trimmingCharacters(in: .whitespaces).split(separator: "-")
        guard parts.count >= 2, parts[0].count == 32, parts[1].count == 16, parts[0].allSatisfy(\.isHexDigit), parts[1].allSatisfy(\.isHexDigit) else { return nil }
        return TraceLink(traceID: parts[0].lowercased(), spanID: parts[1].lowercased(), sampled: parts.count < 3 || parts[2] != "0", recorder: nil)
    }

    static func parse(traceparent header: String) -> TraceLink? {
        let parts = header.trimmingCharacters(in: .whitespaces).split(separator: "-")
        guard parts.count == 4, parts[1].count == 32, parts[2].count == 16, parts[1].allSatisfy(\.isHexDigit), parts[2].allSatisfy(\.isHexDigit),
              let flags = UInt8(parts[3], radix: 16) else { return nil }
        return TraceLink(traceID: parts[1].lowercased(), spanID: parts[2].lowercased(), sampled: flags & 1 == 1, recorder: nil)
    }
}
