public import Hummingbird
import NIOCore

/// `GET /api/openapi.json`: the API's OpenAPI 3.1 document (public, like Sentry's schema).
public struct OpenAPIController<Context: RequestContext>: Sendable {
    public init() {}

    /// The document as served; the source is `Sources/TelltaleAPI/Resources/openapi.json`.
    public static var document: [UInt8] { PackageResources.openapi_json }

    public func addRoutes(to router: some RouterMethods<Context>) {
        router.get("api/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: Self.document)))
        }
    }
}
