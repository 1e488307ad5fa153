import Foundation
import NIOSSL
public import PostgresNIO

/// Where the data lives: an SQLite file (the default) or a PostgreSQL server.
public enum DatabaseLocation: Sendable {
    /// An SQLite database file.
    case sqlite(path: String)
    /// A PostgreSQL database.
    case postgres(PostgresClient.Configuration)

    /// The SQLite file's path; `nil` for PostgreSQL.
    public var sqlitePath: String? {
        if case .sqlite(let path) = self { return path }
        return nil
    }

    /// Parses `postgres://user:password@host:port/database?sslmode=disable|prefer|require`
    /// or `sqlite:///absolute/path.db` / `sqlite:relative.db`. Throws a sentence naming what is wrong.
    public static func parse(url: String) throws(DatabaseURLError) -> DatabaseLocation {
        if url.hasPrefix("sqlite:") {
            var path = String(url.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path.removeFirst(2) }
            guard !path.isEmpty else { throw DatabaseURLError("an sqlite URL needs a file path, as in sqlite:///var/lib/telltale/telltale.db") }
            return .sqlite(path: path)
        }
        guard let components = URLComponents(string: url), let scheme = components.scheme else {
            throw DatabaseURLError("is not a URL; expected postgres://user:password@host:5432/database")
        }
        guard scheme == "postgres" || scheme == "postgresql" else {
            throw DatabaseURLError("has scheme '\(scheme)'; expected postgres:// or sqlite:")
        }
        guard let host = components.host, !host.isEmpty else { throw DatabaseURLError("has no host") }
        guard let user = components.user, !user.isEmpty else { throw DatabaseURLError("has no user name") }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else { throw DatabaseURLError("has no database name after the host") }
        if let port = components.port, !(1...65535).contains(port) { throw DatabaseURLError("has port \(port) outside 1–65535") }
        let mode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "prefer"
        let tls: PostgresClient.Configuration.TLS
        switch mode {
        case "disable": tls = .disable
        case "prefer", "allow": tls = .prefer(.makeClientConfiguration())
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        default: throw DatabaseURLError("has sslmode '\(mode)'; use disable, prefer or require")
        }
        var configuration = PostgresClient.Configuration(
            host: host,
            port: components.port ?? 5432,
            username: user.removingPercentEncoding ?? user,
            password: components.password.map { $0.removingPercentEncoding ?? $0 },
            database: database,
            tls: tls
        )
        configuration.options.maximumConnections = 20
        return .postgres(configuration)
    }

    /// The URL with its password replaced by `****`, safe to print and log.
    public static func masked(url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "****"
        return components.string ?? "****"
    }
}

/// A database URL that cannot be used, with the reason.
public struct DatabaseURLError: Error, CustomStringConvertible {
    /// What is wrong, phrased to follow "the database URL".
    public var reason: String
    init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
