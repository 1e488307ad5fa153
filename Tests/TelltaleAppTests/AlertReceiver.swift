import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import TelltaleApp
import TelltaleTestSupport

/// A receiver on 127.0.0.1 standing in for webhooks, Slack, Teams, Discord and PagerDuty: it
/// records every request and answers 503 as many times as told before answering 200.
actor AlertReceiver {
    struct Received: Sendable {
        var path: String
        var headers: [String: String]
        var body: String
    }

    private(set) var received: [Received] = []
    private var failures: [String: Int] = [:]

    func failNext(_ count: Int, path: String) { failures[path] = count }

    func record(_ request: Received) -> Bool {
        received.append(request)
        guard let left = failures[request.path], left > 0 else { return true }
        failures[request.path] = left - 1
        return false
    }

    func requests(to path: String) -> [Received] { received.filter { $0.path == path } }

    func hasRequests(to paths: [String]) -> Bool { paths.allSatisfy { path in received.contains { $0.path == path } } }

    /// Runs the receiver for `body`, which gets its port.
    nonisolated func run(_ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        let router = Router()
        router.post("**") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let ok = await self.record(Received(path: request.uri.path, headers: headers, body: String(buffer: buffer)))
            if request.uri.path.hasPrefix("/gone") { return Response(status: .notFound) }
            return Response(status: ok ? .ok : .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: ok ? "ok" : "try later")))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in try await body(client.port ?? 0) }
    }
}

extension AlertReceiver {
    /// The receiver, a fresh database and a server built on it, with the test tokens: what the
    /// alerting and incident API tests start from. `configuration` adds settings.
    nonisolated func withServer(_ database: TestDatabase, configuration: [String: String] = [:],
                                _ body: @escaping @Sendable (_ client: any TestClientProtocol, _ tokens: MonitorsAPITests.Tokens,
                                                             _ environment: TestEnvironment, _ port: Int) async throws -> Void) async throws {
        try await run { port in
            try await TestEnvironment.with(database) { environment in
                let app = try await buildApplication(reader: environment.reader(configuration), logger: TestDatabase.logger)
                try await app.test(.router) { client in
                    try await body(client, try await MonitorsAPITests.tokens(environment), environment, port)
                }
            }
        }
    }
}
