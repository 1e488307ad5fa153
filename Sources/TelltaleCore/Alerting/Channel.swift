import Foundation

public typealias ChannelID = Identifier<Channel>

/// Where notifications go. Its settings carry secrets (webhook URLs, routing keys, signing
/// secrets): stored and used, shown back only as ``redactedConfig``.
public struct Channel: Sendable, Hashable {
    public var id: ChannelID
    public var organizationID: OrganizationID
    public var name: String
    public var config: ChannelConfig
    /// Set for a person's own contact method (a personal webhook, PagerDuty, …): used when a
    /// rule or an escalation step notifies that person, never listed among the organization's channels.
    public var ownerUserID: UserID?

    public init(id: ChannelID, organizationID: OrganizationID, name: String, config: ChannelConfig, ownerUserID: UserID? = nil) {
        self.id = id
        self.organizationID = organizationID
        self.name = name
        self.config = config
        self.ownerUserID = ownerUserID
    }
}

public enum ChannelType: String, Sendable, Hashable, Codable, CaseIterable {
    case email, slack, teams, discord, webhook, pagerduty
}

/// A channel's settings by type.
public enum ChannelConfig: Sendable, Hashable {
    case email(to: [String])
    case slack(url: String)
    case teams(url: String)
    case discord(url: String)
    /// A signed JSON POST; `template` is an optional Mustache body for other receivers.
    case webhook(url: String, secret: String?, headers: [String: String], template: String?)
    case pagerduty(routingKey: String)

    public var type: ChannelType {
        switch self {
        case .email: .email
        case .slack: .slack
        case .teams: .teams
        case .discord: .discord
        case .webhook: .webhook
        case .pagerduty: .pagerduty
        }
    }

    /// Checks and builds settings from the API's `config` object.
    public static func make(type: ChannelType, to: [String]?, url: String?, secret: String?, headers: [String: String]?,
                            template: String?, routingKey: String?) throws -> ChannelConfig {
        func webURL() throws -> String {
            guard let url, let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https",
                  parsed.host?.isEmpty == false, url.utf8.count <= 2048 else {
                throw ValidationError(field: "config.url", reason: "must be an absolute http:// or https:// URL")
            }
            return url
        }
        switch type {
        case .email:
            let addresses = (to ?? []).map { $0.trimmingCharacters(in: .whitespaces) }
            guard !addresses.isEmpty, addresses.count <= 50, addresses.allSatisfy(Self.isEmail) else {
                throw ValidationError(field: "config.to", reason: "must list 1 to 50 email addresses")
            }
            return .email(to: addresses)
        case .slack: return .slack(url: try webURL())
        case .teams: return .teams(url: try webURL())
        case .discord: return .discord(url: try webURL())
        case .webhook:
            for (name, value) in headers ?? [:] {
                guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }), !value.contains("\r"), !value.contains("\n") else {
                    throw ValidationError(field: "config.headers", reason: "has an invalid header '\(name)'")
                }
            }
            guard (template?.utf8.count ?? 0) <= 65_536 else { throw ValidationError(field: "config.template", reason: "must be at most 64 KB") }
            return .webhook(url: try webURL(), secret: secret.flatMap { $0.isEmpty ? nil : $0 }, headers: headers ?? [:], template: template.flatMap { $0.isEmpty ? nil : $0 })
        case .pagerduty:
            guard let key = routingKey?.trimmingCharacters(in: .whitespaces), (20...64).contains(key.count), key.allSatisfy({ $0.isLetter || $0.isNumber }) else {
                throw ValidationError(field: "config.routing_key", reason: "must be a PagerDuty integration key (32 letters and digits)")
            }
            return .pagerduty(routingKey: key)
        }
    }

    static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !text.contains(" ") && text.count <= 254
    }

    /// The settings as shown back: addresses in full, every secret shortened to a hint.
    public var redactedConfig: [String: String] {
        func hint(_ secret: String) -> String { secret.count <= 8 ? "••••" : "…" + secret.suffix(4) }
        func site(_ url: String) -> String {
            guard let parsed = URL(string: url), let host = parsed.host else { return "…" }
            return "\(parsed.scheme ?? "https")://\(host)\(parsed.port.map { ":\($0)" } ?? "")/…"
        }
        switch self {
        case .email(let to): return ["to": to.joined(separator: ", ")]
        case .slack(let url), .teams(let url), .discord(let url): return ["url": site(url)]
        case .webhook(let url, let secret, let headers, let template):
            var shown = ["url": site(url) + String(url.suffix(4))]
            if let secret { shown["secret"] = hint(secret) }
            if !headers.isEmpty { shown["headers"] = headers.keys.sorted().joined(separator: ", ") }
            if template != nil { shown["template"] = "custom" }
            return shown
        case .pagerduty(let key): return ["routing_key": hint(key)]
        }
    }
}
