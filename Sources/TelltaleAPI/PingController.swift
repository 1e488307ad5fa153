import Foundation
public import Hummingbird
import Logging
import NIOCore
import TelltaleCore
public import TelltaleHTTP
public import TelltaleMonitors

/// Heartbeat pings: `/ping/{token}` (success), `/start`, `/fail`, `/{exit_status}`, by GET or
/// POST, with `?rid=` pairing a start with its end. The token is the credential; an unknown one
/// is a 404 and nothing is stored.
public struct PingController: Sendable {
    let service: MonitorService

    public init(service: MonitorService) {
        self.service = service
    }

    public func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        for method in [HTTPRequest.Method.get, .post, .head] {
            router.on("ping/:token", method: method) { request, context in try await handle(request, context, suffix: nil) }
            router.on("ping/:token/:kind", method: method) { request, context in
                try await handle(request, context, suffix: try context.parameters.require("kind"))
            }
        }
    }

    func handle(_ request: Request, _ context: TelltaleRequestContext, suffix: String?) async throws -> Response {
        let token = try context.parameters.require("token")
        let kind: PingKind
        do { kind = try PingKind(pathSuffix: suffix) } catch { throw APIError.notFound("unknown ping path: use /ping/{token}, /start, /fail or /{exit_status}") }
        let runID = request.uri.queryParameters.get("rid").map { String($0.prefix(100)) }
        var body: String?
        if request.method == .post {
            let buffer = try await request.body.collect(upTo: Ping.maxBodyBytes + 1)
            guard buffer.readableBytes <= Ping.maxBodyBytes else {
                throw APIError(.contentTooLarge, "a ping body is kept up to \(Ping.maxBodyBytes / 1024) KB")
            }
            if buffer.readableBytes > 0 { body = String(decoding: buffer.readableBytesView, as: UTF8.self) }
        }
        guard token.count <= 64, try await service.ping(token: token, kind: kind, runID: runID, body: body) != nil else {
            context.logger.notice("Ping to an unknown token")
            throw APIError.notFound("no monitor has this ping URL")
        }
        return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "OK\n")))
    }
}
