public import Logging
import SentryProtocol

/// A swift-log handler: errors and worse become events (metadata as tags and an `extra`
/// context), anything else becomes a breadcrumb of the current scope. Combine it with the
/// app's own handler through `MultiplexLogHandler`.
public struct TelltaleLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String
    let client: TelltaleClient
    let eventLevel: Logger.Level

    public init(label: String, client: TelltaleClient, eventLevel: Logger.Level = .error) {
        self.label = label
        self.client = client
        self.eventLevel = eventLevel
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let level = Self.level(event.level)
        if event.level >= eventLevel {
            var options: [CaptureOption] = [.level(level), .tag("logger", label)]
            var extra: JSONObject = ["source": .string(event.source), "file": .string(event.file), "line": .int(Int64(event.line))]
            for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
                if case .string(let text) = value, text.count <= 200 { options.append(.tag(key, text)) } else { extra[key] = .string(value.description) }
            }
            options.append(.context("log", extra))
            client.capture(message: event.message.description, level: level, options)
        } else {
            var data = JSONObject()
            for (key, value) in merged.sorted(by: { $0.key < $1.key }) { data[key] = .string(value.description) }
            Telltale.addBreadcrumb(Breadcrumb(event.message.description, category: label, level: level, data: data))
        }
    }

    static func level(_ level: Logger.Level) -> CaptureOption.Level {
        switch level {
        case .trace, .debug: .debug
        case .info, .notice: .info
        case .warning: .warning
        case .error: .error
        case .critical: .fatal
        }
    }
}

extension TelltaleClient {
    /// Captures a message with options given as an array (for code that builds them).
    @discardableResult
    public func capture(message: String, level: CaptureOption.Level, _ captureOptions: [CaptureOption]) -> String? {
        let id = Self.eventID()
        return enqueue(event: builder.message(message, level: level, scope: ScopeBox.current.value, options: captureOptions, id: id, now: now()), id: id)
    }
}
