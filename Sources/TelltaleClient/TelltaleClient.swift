public import Foundation
public import SentryProtocol
public import ServiceLifecycle
import Synchronization

/// Scopes, for any client: the running task's tags, contexts, user and breadcrumbs.
public enum Telltale {
    /// Runs `operation` with a copy of the current scope, changed by `configure`: what it
    /// adds (tags, breadcrumbs) stays with it and the tasks it starts, never with others.
    /// It runs on the caller's actor, so `operation` need not be `Sendable`.
    public static func withScope<T>(_ configure: (inout Scope) -> Void = { _ in }, isolation: isolated (any Actor)? = #isolation,
                                    operation: () async throws -> T) async rethrows -> T {
        var scope = ScopeBox.current.value
        configure(&scope)
        return try await ScopeBox.$current.withValue(ScopeBox(scope), operation: operation, isolation: isolation)
    }

    /// Changes the current scope in place.
    public static func configureScope(_ change: (inout Scope) -> Void) { ScopeBox.current.change(change) }

    public static func addBreadcrumb(_ crumb: Breadcrumb) { ScopeBox.current.change { $0.addBreadcrumb(crumb) } }

    /// A copy of the current scope.
    public static var scope: Scope { ScopeBox.current.value }
}

/// Reports errors and messages to Telltale (or any Sentry-compatible server) over the Sentry
/// envelope protocol. Capturing builds the event on the calling task and hands it to a bounded
/// queue; `run()` (a swift-service-lifecycle `Service`) sends in the background. It never
/// blocks or throws into the host: what cannot be queued or sent is counted and reported.
public final class TelltaleClient: Service {
    public static let sdkName = "telltale.swift"
    public static let version = "0.1.0"

    public let options: TelltaleOptions
    let builder: EventBuilder
    let sender: Sender
    let drops = DropCounter()
    let sessions = SessionTracker()
    let spool: Spool?
    /// What an earlier run left in the spool, read before this run captured anything.
    let leftovers: [PendingEnvelope]
    let stream: AsyncStream<PendingEnvelope>
    let continuation: AsyncStream<PendingEnvelope>.Continuation
    /// Envelopes accepted and not yet sent or dropped (what `flush` waits for).
    let pending = Atomic<Int>(0)
    let now: @Sendable () -> Date
    let random: @Sendable () -> Double

    public init(options: TelltaleOptions, transport: any EnvelopeTransport = HTTPTransport(), retryPolicy: RetryPolicy = RetryPolicy(),
                now: @escaping @Sendable () -> Date = Date.init, random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) {
        self.options = options
        self.now = now
        self.random = random
        builder = EventBuilder(options: options)
        let dsn = options.dsn
        sender = Sender(url: dsn.envelopeURL, auth: "Sentry sentry_version=7, sentry_client=\(Self.sdkName)/\(Self.version), sentry_key=\(dsn.publicKey)",
                        transport: transport, policy: retryPolicy, drops: drops, now: now, sleep: sleep, random: random)
        spool = options.spoolDirectory.flatMap { try? Spool(directory: $0) }
        leftovers = spool?.leftovers() ?? []
        (stream, continuation) = AsyncStream.makeStream(of: PendingEnvelope.self, bufferingPolicy: .bufferingOldest(options.queueCapacity))
    }

    /// Captures an error with the current scope; returns its event id, or nil when it was
    /// sampled out, dropped by `beforeSend` or the queue was full.
    @discardableResult
    public func capture(_ error: any Error, _ captureOptions: CaptureOption..., file: String = #fileID, function: String = #function, line: Int = #line) -> String? {
        let id = Self.eventID()
        let event = builder.error(error, scope: ScopeBox.current.value, options: captureOptions,
                                  at: .init(file: file, function: function, line: line), id: id, now: now())
        countErrorInSession()
        return enqueue(event: event, id: id)
    }

    /// Captures a message with the current scope.
    @discardableResult
    public func capture(message: String, level: CaptureOption.Level = .info, _ captureOptions: CaptureOption...) -> String? {
        let id = Self.eventID()
        return enqueue(event: builder.message(message, level: level, scope: ScopeBox.current.value, options: captureOptions, id: id, now: now()), id: id)
    }

    /// Records a finished request as a transaction without spans (sampled by `tracesSampleRate`).
    @discardableResult
    public func captureTransaction(_ name: String, start: Date, end: Date, status: Int, request: JSONObject = [:]) -> String? {
        guard sampleTrace() else { return nil }
        let traceID = Self.eventID()
        let trace: JSONObject = ["trace_id": .string(traceID), "span_id": .string(String(traceID.prefix(16))), "op": .string("http.server"),
                                 "status": .string(EventBuilder.spanStatus(status)), "data": .object(["http.response.status_code": .int(Int64(status))])]
        return captureTrace(TraceTransaction(name: name, start: start, end: end, trace: trace, spans: [], request: request, droppedSpans: 0))
    }

    /// Whether a new trace is kept, by `tracesSampleRate`.
    func sampleTrace() -> Bool {
        options.tracesSampleRate > 0 && (options.tracesSampleRate >= 1 || random() < options.tracesSampleRate)
    }

    /// Sends a sampled trace's root span as a transaction.
    @discardableResult
    func captureTrace(_ trace: TraceTransaction) -> String? {
        let id = Self.eventID()
        if trace.droppedSpans > 0 { drops.add(reason: "buffer_overflow", category: "span", quantity: trace.droppedSpans) }
        return enqueue(event: builder.transaction(trace, scope: ScopeBox.current.value, id: id), id: id, type: "transaction")
    }

    func enqueue(event: JSONObject, id: String, type: String = "event") -> String? {
        let category = DataCategory.of(itemType: type)
        // Transactions were sampled by their own rate before they were built.
        guard type == "transaction" || options.sampleRate >= 1 || random() < options.sampleRate else {
            drops.add(reason: "sample_rate", category: category)
            return nil
        }
        var event = event
        if let beforeSend = options.beforeSend, type == "event" {
            guard let changed = beforeSend(event) else {
                drops.add(reason: "before_send", category: category)
                return nil
            }
            event = changed
        }
        return enqueue(item: event, id: id, type: type)
    }

    /// Frames one item in an envelope and hands it to the sender (or counts it dropped).
    func enqueue(item: JSONObject, id: String, type: String) -> String? {
        let category = DataCategory.of(itemType: type)
        let payload = JSONValue.object(item).serialized()
        var header: JSONObject = ["sent_at": .string(Self.timestamp(now())), "sdk": .object(["name": .string(Self.sdkName), "version": .string(Self.version)])]
        if type == "event" || type == "transaction" { header["event_id"] = .string(id) }
        let bytes = JSONValue.object(header).serialized() + [UInt8(ascii: "\n")] + Sender.item(type: type, payload: payload)
        // Check-ins of one run share their id; the spool names each envelope on its own.
        let envelope = PendingEnvelope(id: type == "check_in" ? Self.eventID() : id, category: category, bytes: bytes)
        pending.add(1, ordering: .relaxed)
        switch continuation.yield(envelope) {
        case .enqueued: break
        // Full, or the client is shutting down: either way this one will not go.
        case .dropped, .terminated:
            pending.subtract(1, ordering: .relaxed)
            drops.add(reason: "queue_overflow", category: category)
            return nil
        @unknown default: break
        }
        // With a spool the envelope is on disk before capture returns: a crash after this
        // point loses nothing (at the cost of a file write on the calling task).
        spool?.write(envelope)
        return id
    }

    /// Sends until shutdown: first what an earlier run left in the spool, then each envelope
    /// as it is captured. On graceful shutdown it stops taking new ones and sends what is
    /// queued (up to 5 seconds).
    public func run() async throws {
        await withGracefulShutdownHandler {
            var limits = RateLimitState()
            for leftover in leftovers {
                if await sender.deliver(leftover, limits: &limits) == .sent { spool?.remove(leftover.id) }
            }
            for await envelope in stream {
                _ = await sender.deliver(envelope, limits: &limits)
                // Sent or counted as dropped: either way it is done with.
                spool?.remove(envelope.id)
                pending.subtract(1, ordering: .relaxed)
            }
        } onGracefulShutdown: {
            self.flushSessions()
            self.continuation.finish()
        }
    }

    /// Waits until everything captured so far is sent or dropped, at most `timeout`; false
    /// when time ran out first.
    public func flush(timeout: Duration = .seconds(5)) async -> Bool {
        flushSessions()
        let deadline = ContinuousClock.now + timeout
        while pending.load(ordering: .relaxed) > 0 {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return true
    }

    /// Items dropped so far and not yet reported (for tests and health checks).
    public var unreportedDrops: JSONObject? {
        let report = drops.take(now: now())
        if let report { drops.restore(report) }
        return report
    }

    /// A fresh id as 32 lower-case hex digits: a random 128-bit seed drawn once per process,
    /// mixed (SplitMix64) with a counter, so ids never repeat within a process and collide
    /// across processes only as random ids do. Written by hand: Foundation's `UUID()` opens
    /// /dev/urandom on every call on Linux, and a system call per id cost more than the
    /// rest of a span.
    static func eventID() -> String {
        let n = idCounter.wrappingAdd(1, ordering: .relaxed).oldValue
        return hex(Self.mix(idSeed.0 &+ n), Self.mix(idSeed.1 ^ (n &* 0x9E37_79B9_7F4A_7C15)))
    }

    /// A span id: 16 hex digits.
    static func spanID() -> String {
        hex(Self.mix(idSeed.1 &+ idCounter.wrappingAdd(1, ordering: .relaxed).oldValue), nil)
    }

    static func hex(_ first: UInt64, _ second: UInt64?) -> String {
        String(unsafeUninitializedCapacity: second == nil ? 16 : 32) { buffer in
            for (half, value) in [first, second ?? 0].prefix(second == nil ? 1 : 2).enumerated() {
                for nibble in 0..<16 {
                    let digit = UInt8((value >> UInt64(60 - 4 * nibble)) & 0xF)
                    buffer[half * 16 + nibble] = digit < 10 ? 48 + digit : 87 + digit
                }
            }
            return second == nil ? 16 : 32
        }
    }

    static let idSeed: (UInt64, UInt64) = {
        var generator = SystemRandomNumberGenerator()
        return (generator.next(), generator.next())
    }()

    static let idCounter = Atomic<UInt64>(0)

    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().timeZone(separator: .omitted).time(includingFractionalSeconds: true).timeSeparator(.colon))
    }
}
