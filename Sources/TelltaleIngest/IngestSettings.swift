/// Limits and defaults of the ingest path.
public struct IngestSettings: Sendable {
    /// Largest envelope after decompression (413 above).
    public var maxEnvelopeBytes: Int
    /// Largest event, transaction or feedback item.
    public var maxEventBytes: Int
    /// Largest stored attachment.
    public var maxAttachmentBytes: Int
    /// Events per minute per client key when the key sets none; `nil` = unlimited.
    public var defaultKeyRateLimit: Int?
    /// Events per minute per organization when it sets none; `nil` = unlimited.
    public var defaultOrganizationRateLimit: Int?

    /// Defaults: Relay's event limit, 20 MiB envelopes and attachments, no rate limits.
    public init(
        maxEnvelopeBytes: Int = 20 << 20, maxEventBytes: Int = 1 << 20, maxAttachmentBytes: Int = 20 << 20,
        defaultKeyRateLimit: Int? = nil, defaultOrganizationRateLimit: Int? = nil
    ) {
        self.maxEnvelopeBytes = maxEnvelopeBytes
        self.maxEventBytes = maxEventBytes
        self.maxAttachmentBytes = maxAttachmentBytes
        self.defaultKeyRateLimit = defaultKeyRateLimit
        self.defaultOrganizationRateLimit = defaultOrganizationRateLimit
    }
}

/// A request the ingest path refuses, with the status and headers SDKs understand.
public struct IngestFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// HTTP status.
    public var status: Int
    /// The reason, for the `detail` field.
    public var detail: String
    /// `Retry-After` seconds (429, 503).
    public var retryAfter: Int?
    /// `X-Sentry-Rate-Limits` value (429).
    public var rateLimits: String?

    /// Creates a failure.
    public init(_ status: Int, _ detail: String, retryAfter: Int? = nil, rateLimits: String? = nil) {
        self.status = status
        self.detail = detail
        self.retryAfter = retryAfter
        self.rateLimits = rateLimits
    }

    public var description: String { "\(status) \(detail)" }
}

/// What was accepted.
public struct IngestReceipt: Sendable, Equatable {
    /// The envelope's (or event's) id, echoed as `{"id": …}`.
    public var eventID: String?
    /// Limits to announce on the 200 response (`X-Sentry-Rate-Limits`).
    public var rateLimits: String?
}
