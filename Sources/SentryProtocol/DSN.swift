import Foundation

/// A Sentry Data Source Name: `{scheme}://{public_key}@{host}[:{port}][/{prefix}]/{project_id}`.
///
/// The secret part of old DSNs is accepted when parsing and never produced.
public struct DSN: Sendable, Hashable, CustomStringConvertible {
    /// `http` or `https`.
    public var scheme: String
    /// The client key's public part; identifies the key, not a secret.
    public var publicKey: String
    /// Host name or address.
    public var host: String
    /// Port when it is not the scheme's default.
    public var port: Int?
    /// Path between the host and the project id, without trailing slash (`""` or `/sentry`).
    public var pathPrefix: String
    /// The project id: the DSN's last path segment.
    public var projectID: String

    /// Creates a DSN from its parts.
    public init(scheme: String, publicKey: String, host: String, port: Int?, pathPrefix: String = "", projectID: String) {
        self.scheme = scheme
        self.publicKey = publicKey
        self.host = host
        self.port = port
        self.pathPrefix = pathPrefix
        self.projectID = projectID
    }

    /// Builds a DSN for a project served under `baseURL` (for example `http://127.0.0.1:8600`).
    public init?(baseURL: String, publicKey: String, projectID: String) {
        guard let components = URLComponents(string: baseURL),
              let scheme = components.scheme, let host = components.host, !host.isEmpty
        else { return nil }
        var prefix = components.path
        while prefix.hasSuffix("/") { prefix.removeLast() }
        self.init(scheme: scheme, publicKey: publicKey, host: host, port: components.port, pathPrefix: prefix, projectID: projectID)
    }

    /// Parses a DSN string; `nil` when it is not one.
    public init?(_ string: String) {
        guard let components = URLComponents(string: string),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host, !host.isEmpty,
              let user = components.user, !user.isEmpty
        else { return nil }
        var segments = components.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard let project = segments.popLast(), !project.isEmpty else { return nil }
        self.init(
            scheme: scheme,
            publicKey: user,
            host: host,
            port: components.port,
            pathPrefix: segments.isEmpty ? "" : "/" + segments.joined(separator: "/"),
            projectID: project
        )
    }

    /// The DSN as SDKs expect it in their configuration.
    public var description: String {
        var text = "\(scheme)://\(publicKey)@\(host)"
        if let port, !(scheme == "http" && port == 80), !(scheme == "https" && port == 443) {
            text += ":\(port)"
        }
        return text + pathPrefix + "/" + projectID
    }

    /// The envelope endpoint SDKs post to.
    public var envelopeURL: String {
        var base = "\(scheme)://\(host)"
        if let port { base += ":\(port)" }
        return base + pathPrefix + "/api/\(projectID)/envelope/"
    }
}
