public import Logging

/// swift-log's text format on standard output, with the handler's metadata formatted when a
/// line is written. `StreamLogHandler` re-formats all of its metadata each time one key is
/// set, and the HTTP server sets a request id on every request: about 2.7% of ingest CPU for
/// lines that are almost never written.
public struct TextLogHandler: LogHandler {
    private var stream: StreamLogHandler
    public var metadata: Logger.Metadata = [:]

    /// Creates a handler for `label`.
    public init(label: String) {
        stream = StreamLogHandler.standardOutput(label: label)
    }

    public var logLevel: Logger.Level {
        get { stream.logLevel }
        set { stream.logLevel = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var event = event
        if !metadata.isEmpty {
            event.metadata = metadata.merging(event.metadata ?? [:]) { $1 }
        }
        stream.log(event: event)
    }
}
