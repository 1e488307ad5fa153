import Foundation
import HTTPTypes
public import Hummingbird
import NIOCore
import Synchronization
import TelltaleCore

/// Reads an API resource as JSON through the whole router, with the caller's own credential,
/// so the audit log sees it before and after a change without knowing each resource's shape.
public final class AuditReader: Sendable {
    private let responder = Mutex<RouterResponder<TelltaleRequestContext>?>(nil)

    public init() {}

    /// Reads through `router` from now on; called once every route is added.
    public func attach(_ router: Router<TelltaleRequestContext>) {
        let built = router.buildResponder()
        responder.withLock { $0 = built }
    }

    /// The resource at `path` flattened to fields, or `nil` when it cannot be read as an object.
    func object(at path: String, for request: Request, context: TelltaleRequestContext) async -> [String: String]? {
        guard let responder = responder.withLock({ $0 }) else { return nil }
        var head = HTTPRequest(method: .get, scheme: request.head.scheme, authority: request.head.authority, path: path)
        head.headerFields[.authorization] = request.headers[.authorization]
        head.headerFields[.accept] = "application/json"
        guard let response = try? await responder.respond(to: Request(head: head, body: RequestBody(buffer: ByteBuffer())), context: context),
              response.status == .ok else { return nil }
        return Self.flatten(await Self.collect(response.body).bytes)
    }

    /// A response body's bytes (up to 1 MiB), and a body that replays them.
    static func collect(_ body: ResponseBody) async -> (bytes: ByteBuffer, replay: ResponseBody) {
        let sink = Sink()
        try? await body.write(CollectingWriter(sink: sink))
        let bytes = sink.buffer.withLock { $0 }
        return (bytes, ResponseBody(byteBuffer: bytes))
    }

    /// A JSON object as dotted field names; arrays and anything deeper than three levels as JSON text.
    static func flatten(_ bytes: ByteBuffer) -> [String: String]? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView), options: [.fragmentsAllowed]) as? [String: Any] else { return nil }
        var fields: [String: String] = [:]
        func visit(_ value: Any, _ name: String, _ depth: Int) {
            switch value {
            case let object as [String: Any] where depth < 3:
                for (key, member) in object { visit(member, name.isEmpty ? key : "\(name).\(key)", depth + 1) }
            case let text as String: fields[name] = String(text.prefix(500))
            case is NSNull: fields[name] = "null"
            case let number as NSNumber: fields[name] = "\(type(of: number))".contains("Boolean") ? (number.boolValue ? "true" : "false") : number.stringValue
            default:
                let data = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])) ?? Data()
                let text = String(decoding: data, as: UTF8.self)
                // A nested secret's name is inside the text: mask the whole value.
                fields[name] = AuditChanges.secretWordsIn(text) ? AuditChanges.masked : String(text.prefix(500))
            }
        }
        visit(object, "", 0)
        return fields
    }
}

private final class Sink: Sendable {
    let buffer = Mutex(ByteBuffer())
}

private struct CollectingWriter: ResponseBodyWriter {
    let sink: Sink

    mutating func write(_ piece: ByteBuffer) async throws {
        sink.buffer.withLock { buffer in
            guard buffer.readableBytes < 1 << 20 else { return }
            var piece = piece
            buffer.writeBuffer(&piece)
        }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
