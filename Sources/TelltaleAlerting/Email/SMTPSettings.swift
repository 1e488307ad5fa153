import Foundation
import TelltaleCore

/// How Telltale reaches its mail server: parsed once from `smtp.url` and `smtp.from`.
///
/// `smtp://user:pass@host:587?starttls=true` upgrades with STARTTLS (and refuses to go on
/// without it), `smtps://host:465` speaks TLS from the first byte, `smtp://host:25` is plain.
/// `ca_file=/path.pem` trusts a private CA; `verify=false` skips certificate checks (for test
/// servers only).
public struct SMTPSettings: Sendable, Hashable {
    public enum Security: String, Sendable, Hashable {
        case plain, startTLS = "starttls", tls
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: String?
    /// The `From:` header as given (`Telltale <alerts@example.com>` or a bare address).
    public var from: String
    public var verifyCertificates: Bool
    public var caFile: String?
    /// Seconds one message may take from connecting to the server's final answer.
    public var timeoutSeconds: Int

    /// The bare address of `from`, for `MAIL FROM`.
    public var fromAddress: String {
        guard let open = from.lastIndex(of: "<"), let close = from.lastIndex(of: ">"), open < close else {
            return from.trimmingCharacters(in: .whitespaces)
        }
        return String(from[from.index(after: open)..<close])
    }

    /// The URL with its password masked, for reports and logs.
    public static func masked(_ url: String) -> String {
        guard var parts = URLComponents(string: url), parts.password != nil else { return url }
        parts.password = "****"
        return parts.string ?? "****"
    }

    /// Parses the two settings; the error names the setting at fault.
    public static func parse(url: String, from: String, timeoutSeconds: Int = 30) throws -> SMTPSettings {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(), scheme == "smtp" || scheme == "smtps",
              let host = parts.host, !host.isEmpty else {
            throw ValidationError(field: "smtp.url", reason: "must look like smtp://user:pass@host:587?starttls=true or smtps://host:465")
        }
        let query = Dictionary((parts.queryItems ?? []).map { ($0.name.lowercased(), $0.value ?? "") }, uniquingKeysWith: { $1 })
        func flag(_ name: String) throws -> Bool? {
            guard let value = query[name]?.lowercased() else { return nil }
            switch value {
            case "true", "1", "yes", "": return true
            case "false", "0", "no": return false
            default: throw ValidationError(field: "smtp.url", reason: "\(name) must be true or false")
            }
        }
        var security: Security = scheme == "smtps" ? .tls : .plain
        if try flag("tls") == true { security = .tls }
        if try flag("starttls") == true {
            guard security != .tls else { throw ValidationError(field: "smtp.url", reason: "starttls and implicit TLS (smtps) exclude each other") }
            security = .startTLS
        }
        let port = parts.port ?? (security == .tls ? 465 : 587)
        guard (1...65_535).contains(port) else { throw ValidationError(field: "smtp.url", reason: "has an invalid port") }
        let settings = SMTPSettings(host: host, port: port, security: security,
                                    username: parts.user.flatMap { $0.isEmpty ? nil : $0 },
                                    password: parts.password, from: from.trimmingCharacters(in: .whitespaces),
                                    verifyCertificates: try flag("verify") ?? true,
                                    caFile: query["ca_file"].flatMap { $0.isEmpty ? nil : $0 }, timeoutSeconds: timeoutSeconds)
        guard !settings.from.contains("\r"), !settings.from.contains("\n"), isAddress(settings.fromAddress) else {
            throw ValidationError(field: "smtp.from", reason: "must be an address such as alerts@example.com or Telltale <alerts@example.com>")
        }
        if settings.username != nil, settings.security == .plain, !["127.0.0.1", "localhost", "::1"].contains(host) {
            // Sending a password in clear over the network is refused rather than warned about.
            throw ValidationError(field: "smtp.url", reason: "a password is only sent over TLS: add ?starttls=true or use smtps://")
        }
        return settings
    }

    static func isAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty && !text.contains(" ") && !text.contains("<") && !text.contains(">")
    }
}
