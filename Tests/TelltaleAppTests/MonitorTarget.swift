import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore

/// A real HTTP server on 127.0.0.1 for checks to hit: answers well, fails, hangs, answers
/// slowly, sends a body that never ends in time, or redirects forever.
enum MonitorTargetServer {
    static func run(_ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        let router = Router()
        router.get("ok") { _, _ in Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok","checks":[{"db":true}]}"#))) }
        router.get("fail") { _, _ -> Response in Response(status: .internalServerError, body: .init(byteBuffer: ByteBuffer(string: "boom"))) }
        router.get("slow") { _, _ -> String in
            try await Task.sleep(for: .milliseconds(400))
            return "slow but fine"
        }
        router.get("hang") { _, _ -> String in
            try await Task.sleep(for: .seconds(3))
            return "too late"
        }
        router.get("big") { _, _ -> Response in
            // 4 MB in 64 KB chunks: more than a check reads.
            Response(status: .ok, body: ResponseBody { writer in
                let chunk = ByteBuffer(repeating: UInt8(ascii: "x"), count: 65_536)
                for _ in 0..<64 { try await writer.write(chunk) }
                try await writer.finish(nil)
            })
        }
        router.get("loop") { _, _ -> Response in Response(status: .found, headers: [.location: "/loop"]) }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            try await body(client.port ?? 0)
        }
    }
}
