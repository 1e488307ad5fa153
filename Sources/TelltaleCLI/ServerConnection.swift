import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import TelltaleApp
import TelltaleCore
import TelltaleStore

/// Where the operator commands (`send-test-event`, `selftest`, `status`) reach Telltale: the
/// server at `--url` with `--token` (or `TELLTALE_URL` and `TELLTALE_TOKEN`), or, given no URL,
/// the local server the configuration describes, through a token minted for this run in the
/// local database (for its first system administrator) and revoked when the command ends.
struct ServerOptions: ParsableArguments {
    @Option(help: "Telltale's address, e.g. https://telltale.example.com (default: TELLTALE_URL, else the local server of the configuration).")
    var url: String?

    @Option(help: "API token for --url (default: TELLTALE_TOKEN). Not needed for the local server.")
    var token: String?

    @OptionGroup var options: CommonOptions

    /// Runs `body` with a client for the chosen server; exits 1 with one line when it cannot be set up.
    func withServer<Result: Sendable>(scopes: Set<Scope>, _ body: (ServerClient) async throws -> Result) async throws -> Result {
        let environment = ProcessInfo.processInfo.environment
        if let remote = url ?? environment["TELLTALE_URL"], !remote.isEmpty {
            guard let token = token ?? environment["TELLTALE_TOKEN"], !token.isEmpty else {
                Console.error("--url needs an API token: pass --token or set TELLTALE_TOKEN (create one with 'telltale token create')")
                throw ExitCode(2)
            }
            guard let base = ServerClient.base(remote) else {
                Console.error("'\(remote)' is not an http(s) URL")
                throw ExitCode(2)
            }
            return try await body(ServerClient(base: base, token: token))
        }
        // The local server: its listening address, and a token for this run only.
        let minted = try await options.withAccounts { accounts, repositories, configuration -> (String, APITokenID, String) in
            guard let admin = try await repositories.users.all().first(where: { $0.isSystemAdmin }) else {
                throw DomainError.notFound("system administrator in the local database; use --url and --token")
            }
            let (token, secret) = try await accounts.issueToken(userID: admin.id, name: "telltale CLI (revoked after the command)", scopes: scopes)
            let host = ["0.0.0.0", "::", ""].contains(configuration.host) ? "127.0.0.1" : configuration.host
            return ("http://\(host.contains(":") ? "[\(host)]" : host):\(configuration.port)", token.id, secret)
        }
        let client = ServerClient(base: minted.0, token: minted.2)
        do {
            let result = try await body(client)
            try? await options.withAccounts { _, repositories, _ in try await repositories.tokens.revoke(id: minted.1) }
            return result
        } catch {
            try? await options.withAccounts { _, repositories, _ in try await repositories.tokens.revoke(id: minted.1) }
            throw error
        }
    }
}

/// An HTTP client for one Telltale server's API with a bearer token.
struct ServerClient: Sendable {
    /// The base URL without a trailing slash.
    let base: String
    let token: String

    /// An answer: status and body.
    struct Reply: Sendable {
        var status: Int
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }

        /// The body as JSON (objects as `[String: Any]` are awkward across concurrency, so
        /// callers decode what they need with `JSONDecoder`).
        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            try JSONDecoder().decode(type, from: Data(body))
        }

        /// The server's `detail`, or the start of the body.
        var detail: String {
            struct Problem: Decodable { var detail: String }
            return (try? decode(Problem.self).detail) ?? String(text.prefix(200))
        }
    }

    /// A failure the command reports in one line.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// `text` as a base URL, without trailing slashes, if it is http(s).
    static func base(_ text: String) -> String? {
        var text = text
        while text.hasSuffix("/") { text.removeLast() }
        guard let url = URLComponents(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host?.isEmpty == false else { return nil }
        return text
    }

    /// `method path` (a path from the server's root, e.g. `/api/0/organizations/`).
    func send(_ method: HTTPMethod, _ path: String, json: String? = nil, body: [UInt8]? = nil, headers: [(String, String)] = [],
              authorized: Bool = true, timeout: Duration = .seconds(15)) async throws -> Reply {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if authorized { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.headers.add(name: "User-Agent", value: "telltale-cli")
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        } else if let body {
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .init(timeout))
            let buffer = try await response.body.collect(upTo: 8 << 20)
            return Reply(status: Int(response.status.code), body: Array(buffer: buffer))
        } catch {
            throw Failure(description: "cannot reach Telltale at \(base): \(Self.describe(error))")
        }
    }

    /// `GET /api/0/path` decoded, or a failure naming the path and the server's answer.
    func get<T: Decodable>(_ path: String, as type: T.Type) async throws -> T {
        let reply = try await api(.GET, path)
        guard reply.status == 200 else { throw Failure(description: "GET /api/0/\(path) answered \(reply.status): \(reply.detail)") }
        return try reply.decode(type)
    }

    /// `method /api/0/path`.
    func api(_ method: HTTPMethod, _ path: String, json: String? = nil) async throws -> Reply {
        try await send(method, "/api/0/" + path, json: json)
    }

    /// Reads the event stream at `path`, handing each chunk as it arrives, until the server
    /// ends it (after five minutes) or the task is cancelled.
    func stream(_ path: String, _ chunk: (String) -> Void) async throws {
        for try await buffer in try await openStream(path).body { chunk(String(buffer: buffer)) }
    }

    /// Opens the event stream at `path` (answered 200), its body still to read; the deadline
    /// covers the server's five-minute stream.
    func openStream(_ path: String) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: base + path)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response = try await HTTPClient.shared.execute(request, timeout: .minutes(6))
        guard response.status == .ok else { throw Failure(description: "\(path) answered \(response.status.code)") }
        return response
    }

    /// A connection failure in words.
    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("Connection refused") { return "connection refused" }
        if let error = error as? HTTPClientError, error == .deadlineExceeded { return "no answer in time" }
        return text
    }
}
