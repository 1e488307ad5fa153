import Foundation
import Logging
import NIOPosix
import NIOSSL
import PostgresNIO
public import TelltaleCore

/// The PostgreSQL monitor check: connect, run the query inside a read-only transaction, close.
public struct PostgresMonitorProbe: PostgresProbe {
    public init() {}

    /// A failure in words, with the server's message but never the password.
    struct ProbeError: Error, CustomStringConvertible {
        let description: String
    }

    public func probe(_ target: PostgresTarget, timeout: Duration) async throws {
        guard let url = URLComponents(string: target.connection), let host = url.host, let user = url.user else {
            throw ProbeError(description: "connection string is not a postgres:// URL")
        }
        let database = String(url.path.drop(while: { $0 == "/" }))
        let mode = url.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "prefer"
        let tls: PostgresConnection.Configuration.TLS
        switch mode {
        case "disable": tls = .disable
        case "require", "verify-ca", "verify-full": tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        default: tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        var configuration = PostgresConnection.Configuration(
            host: host, port: url.port ?? 5432, username: user.removingPercentEncoding ?? user,
            password: url.password.map { $0.removingPercentEncoding ?? $0 }, database: database.isEmpty ? nil : database, tls: tls
        )
        configuration.options.connectTimeout = .seconds(Int64(max(1, timeout.components.seconds)))
        let logger = Logger(label: "telltale.monitor.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: 1, logger: logger)
        } catch {
            throw ProbeError(description: "could not connect to \(host):\(url.port ?? 5432): \(Self.describe(error))")
        }
        do {
            try await connection.query("START TRANSACTION READ ONLY", logger: logger)
            let rows = try await connection.query(PostgresQuery(unsafeSQL: target.query), logger: logger)
            for try await _ in rows {}
            try await connection.query("ROLLBACK", logger: logger)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw ProbeError(description: "query failed: \(Self.describe(error))")
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return message }
            return "\(error.code)"
        }
        return "\(error)"
    }
}
