public import Foundation

public typealias ForwarderID = Identifier<Forwarder>

/// A project's standing order to send each stored event on to another service. Its settings
/// carry credentials: stored and used, shown back only as ``ForwarderConfig/redacted``.
public struct Forwarder: Sendable, Hashable {
    public var id: ForwarderID
    public var organizationID: OrganizationID
    public var projectID: ProjectID
    public var name: String
    public var config: ForwarderConfig
    public var filters: ForwarderFilters
    public var enabled: Bool
    /// Events stored up to this row id were there before the forwarder: it never sends them.
    public var startsAfterEvent: Int64
    public var createdAt: Date

    public init(id: ForwarderID, organizationID: OrganizationID, projectID: ProjectID, name: String, config: ForwarderConfig,
                filters: ForwarderFilters, enabled: Bool, startsAfterEvent: Int64, createdAt: Date) {
        self.id = id
        self.organizationID = organizationID
        self.projectID = projectID
        self.name = name
        self.config = config
        self.filters = filters
        self.enabled = enabled
        self.startsAfterEvent = startsAfterEvent
        self.createdAt = createdAt
    }

    public var type: ForwarderType { config.type }
}

public enum ForwarderType: String, Sendable, Hashable, Codable, CaseIterable {
    case sentry, datadog, newrelic, webhook

    /// How many events go in one request: Sentry takes one event per envelope; Datadog up to
    /// 1,000 logs and 5 MB a request; New Relic 1 MB, which 100 events stay well inside.
    public var requestSize: Int {
        switch self {
        case .sentry: 1
        case .datadog: 500
        case .newrelic, .webhook: 100
        }
    }

    /// How many events one queued batch holds (one attempt sends them in requests of
    /// ``requestSize``): large, so a busy installation writes a few queue rows a second, not hundreds.
    public static let batchSize = 1_000
}

/// Which stored events a forwarder sends.
public struct ForwarderFilters: Sendable, Hashable, Codable {
    /// The lowest level sent; nil sends every level.
    public var minLevel: EventLevel?
    /// The environments sent; empty sends all.
    public var environments: [String]
    /// The share of matching events sent, 0 to 1.
    public var sampleRate: Double

    enum CodingKeys: String, CodingKey {
        case minLevel = "min_level", environments, sampleRate = "sample_rate"
    }

    public init(minLevel: EventLevel? = nil, environments: [String] = [], sampleRate: Double = 1) {
        self.minLevel = minLevel
        self.environments = environments
        self.sampleRate = sampleRate
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let level = try container.decodeIfPresent(String.self, forKey: .minLevel) {
            guard let parsed = EventLevel(sdkValue: level) else {
                throw ValidationError(field: "filters.min_level", reason: "must be one of debug, info, warning, error, fatal")
            }
            minLevel = parsed
        }
        environments = try container.decodeIfPresent([String].self, forKey: .environments) ?? []
        sampleRate = try container.decodeIfPresent(Double.self, forKey: .sampleRate) ?? 1
    }

    public func validate() throws {
        guard (0...1).contains(sampleRate) else { throw ValidationError(field: "filters.sample_rate", reason: "must be between 0 and 1") }
        guard environments.count <= 50, environments.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 200 }) else {
            throw ValidationError(field: "filters.environments", reason: "must list at most 50 non-empty names")
        }
    }

    /// Whether the event goes out. Sampling hashes the event id, so every node and every
    /// retry decides the same for one event.
    public func admits(level: EventLevel, environment: String?, eventID: String) -> Bool {
        if let minLevel, level < minLevel { return false }
        if !environments.isEmpty, !environments.contains(environment ?? "") { return false }
        if sampleRate >= 1 { return true }
        if sampleRate <= 0 { return false }
        return Self.unitHash(eventID) < sampleRate
    }

    /// FNV-1a of the id, scaled to [0, 1).
    static func unitHash(_ text: String) -> Double {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return Double(hash >> 11) / Double(UInt64(1) << 53)
    }
}

/// A forwarder's settings by service. Every service's intake address can be replaced with
/// `url` (a proxy, or a local stand-in in tests).
public enum ForwarderConfig: Sendable, Hashable {
    case sentry(dsn: String, url: String?)
    /// Datadog's Logs intake; `site` as Datadog names it (`datadoghq.com`, `datadoghq.eu`, `us3.datadoghq.com`, …).
    case datadog(apiKey: String, site: String, url: String?)
    /// New Relic's Log API; `region` `us`, `eu` or `jp`.
    case newrelic(licenseKey: String, region: String, url: String?)
    /// The alerting webhook's signed JSON.
    case webhook(url: String, secret: String?)

    public var type: ForwarderType {
        switch self {
        case .sentry: .sentry
        case .datadog: .datadog
        case .newrelic: .newrelic
        case .webhook: .webhook
        }
    }

    public static let datadogSites = ["datadoghq.com", "us3.datadoghq.com", "us5.datadoghq.com", "datadoghq.eu", "ap1.datadoghq.com",
                                      "ap2.datadoghq.com", "uk1.datadoghq.com", "ddog-gov.com", "us2.ddog-gov.com"]

    /// Checks and builds settings from the API's `config` object.
    public static func make(type: ForwarderType, _ config: [String: String]) throws -> ForwarderConfig {
        func text(_ key: String) -> String? { config[key].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 } }
        func webURL(_ value: String?, field: String) throws -> String? {
            guard let value else { return nil }
            guard let parsed = URL(string: value), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https",
                  parsed.host?.isEmpty == false, value.utf8.count <= 2048 else {
                throw ValidationError(field: field, reason: "must be an absolute http:// or https:// URL")
            }
            return value
        }
        func secret(_ key: String, _ what: String) throws -> String {
            guard let value = text(key), (8...256).contains(value.count), value.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
                throw ValidationError(field: "config.\(key)", reason: "must be \(what)")
            }
            return value
        }
        switch type {
        case .sentry:
            guard let dsn = text("dsn"), let parsed = try? DSNParts(dsn) else {
                throw ValidationError(field: "config.dsn", reason: "must be a Sentry DSN (https://<key>@<host>/<project>)")
            }
            _ = parsed
            return .sentry(dsn: dsn, url: try webURL(text("url"), field: "config.url"))
        case .datadog:
            let site = text("site") ?? "datadoghq.com"
            guard datadogSites.contains(site) else {
                throw ValidationError(field: "config.site", reason: "must be one of \(datadogSites.joined(separator: ", "))")
            }
            return .datadog(apiKey: try secret("api_key", "a Datadog API key"), site: site, url: try webURL(text("url"), field: "config.url"))
        case .newrelic:
            let region = text("region")?.lowercased() ?? "us"
            guard ["us", "eu", "jp"].contains(region) else { throw ValidationError(field: "config.region", reason: "must be us, eu or jp") }
            return .newrelic(licenseKey: try secret("license_key", "a New Relic license key"), region: region, url: try webURL(text("url"), field: "config.url"))
        case .webhook:
            guard let url = try webURL(text("url"), field: "config.url") else {
                throw ValidationError(field: "config.url", reason: "must be an absolute http:// or https:// URL")
            }
            return .webhook(url: url, secret: text("secret"))
        }
    }

    /// Where requests go: the override, else the service's documented intake.
    public var intakeURL: String {
        switch self {
        case .sentry(let dsn, let url):
            if let url { return url }
            return (try? DSNParts(dsn))?.envelopeURL ?? dsn
        case .datadog(_, let site, let url): return url ?? "https://http-intake.logs.\(site)/api/v2/logs"
        case .newrelic(_, let region, let url):
            return url ?? ["eu": "https://log-api.eu.newrelic.com/log/v1", "jp": "https://log-api.jp.nr-data.net/log/v1"][region, default: "https://log-api.newrelic.com/log/v1"]
        case .webhook(let url, _): return url
        }
    }

    /// The settings in the API's shape, credentials included: what is stored, and what an
    /// edit that leaves a credential out merges into.
    public var settings: [String: String] {
        var stored: [String: String]
        switch self {
        case .sentry(let dsn, let url): stored = ["dsn": dsn]; stored["url"] = url
        case .datadog(let key, let site, let url): stored = ["api_key": key, "site": site]; stored["url"] = url
        case .newrelic(let key, let region, let url): stored = ["license_key": key, "region": region]; stored["url"] = url
        case .webhook(let url, let secret): stored = ["url": url]; stored["secret"] = secret
        }
        return stored
    }

    /// The settings as shown back: places in full, every credential shortened to a hint.
    public var redacted: [String: String] {
        func hint(_ secret: String) -> String { secret.count <= 8 ? "••••" : "…" + secret.suffix(4) }
        var shown: [String: String]
        switch self {
        case .sentry(let dsn, let url):
            let parts = try? DSNParts(dsn)
            shown = ["dsn": parts.map { "\($0.scheme)://\(hint($0.publicKey))@\($0.host)/\($0.projectID)" } ?? "…"]
            if let url { shown["url"] = url }
        case .datadog(let key, let site, let url):
            shown = ["api_key": hint(key), "site": site]
            if let url { shown["url"] = url }
        case .newrelic(let key, let region, let url):
            shown = ["license_key": hint(key), "region": region]
            if let url { shown["url"] = url }
        case .webhook(let url, let secret):
            shown = ["url": url]
            if let secret { shown["secret"] = hint(secret) }
        }
        return shown
    }
}

/// The parts of a Sentry DSN a forwarder needs: `scheme://publicKey@host[:port]/[path/]projectID`.
public struct DSNParts: Sendable, Hashable {
    public var scheme: String
    public var publicKey: String
    public var host: String
    public var pathPrefix: String
    public var projectID: String

    public init(_ text: String) throws {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let key = url.user, !key.isEmpty, let host = url.host, !host.isEmpty else {
            throw ValidationError(field: "dsn", reason: "is not a DSN")
        }
        var segments = url.path.split(separator: "/").map(String.init)
        guard let project = segments.popLast(), !project.isEmpty else { throw ValidationError(field: "dsn", reason: "names no project") }
        self.scheme = scheme
        self.publicKey = key
        self.host = host + (url.port.map { ":\($0)" } ?? "")
        self.pathPrefix = segments.isEmpty ? "" : "/" + segments.joined(separator: "/")
        self.projectID = project
    }

    public var envelopeURL: String { "\(scheme)://\(host)\(pathPrefix)/api/\(projectID)/envelope/" }
}
