public import Foundation
public import SentryProtocol

/// How a client reports: where (the DSN), as what (environment, release), how much (sample
/// rates), what it may change or drop first (`beforeSend`), and what it filters.
public struct TelltaleOptions: Sendable {
    public var dsn: DSN
    public var environment: String?
    public var release: String?
    /// Share of error and message events sent (0…1).
    public var sampleRate: Double
    /// Share of transactions sent (0…1).
    public var tracesSampleRate: Double
    /// Sees every event last (as JSON); returns it, changed or not, or nil to drop it.
    public var beforeSend: (@Sendable (JSONObject) -> JSONObject?)?
    /// Values under keys containing these (and `SensitiveKeys.defaults`) become `[Filtered]`.
    public var extraSensitiveKeys: [String]
    public var scrubbing: Bool
    /// Events waiting to be sent, at most; more are dropped and counted.
    public var queueCapacity: Int
    /// Breadcrumbs kept per scope.
    public var maxBreadcrumbs: Int
    /// A folder where unsent envelopes wait across restarts; nil keeps them in memory only.
    public var spoolDirectory: URL?
    public var serverName: String?

    /// Throws when the DSN is not one.
    public init(dsn: String, environment: String? = nil, release: String? = nil, sampleRate: Double = 1, tracesSampleRate: Double = 0,
                beforeSend: (@Sendable (JSONObject) -> JSONObject?)? = nil, extraSensitiveKeys: [String] = [], scrubbing: Bool = true,
                queueCapacity: Int = 1_000, maxBreadcrumbs: Int = 100, spoolDirectory: URL? = nil, serverName: String? = nil) throws {
        guard let parsed = DSN(dsn) else { throw TelltaleClientError.invalidDSN(dsn) }
        self.dsn = parsed
        self.environment = environment
        self.release = release
        self.sampleRate = min(1, max(0, sampleRate))
        self.tracesSampleRate = min(1, max(0, tracesSampleRate))
        self.beforeSend = beforeSend
        self.extraSensitiveKeys = extraSensitiveKeys
        self.scrubbing = scrubbing
        self.queueCapacity = max(1, queueCapacity)
        self.maxBreadcrumbs = max(0, maxBreadcrumbs)
        self.spoolDirectory = spoolDirectory
        self.serverName = serverName
    }
}

public enum TelltaleClientError: Error, Sendable, Equatable {
    case invalidDSN(String)
}
