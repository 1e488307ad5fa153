import Hummingbird
import HTTPTypes
import NIOCore
import TelltaleHTTP

/// `/static/app.css` and `/static/app.js`, from the binary. The URL carries a version so
/// browsers may cache them for a year.
struct StaticAssets: Sendable {
    static let version = String(UInt32(truncatingIfNeeded: (PackageResources.app_css + PackageResources.app_js).reduce(into: UInt64(1469598103934665603)) { $0 = ($0 ^ UInt64($1)) &* 1099511628211 }), radix: 36)

    func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        router.get("static/app.css") { _, _ in Self.asset(PackageResources.app_css, type: "text/css; charset=utf-8") }
        router.get("static/app.js") { _, _ in Self.asset(PackageResources.app_js, type: "text/javascript; charset=utf-8") }
    }

    static func asset(_ bytes: [UInt8], type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=31536000, immutable", .xContentTypeOptions: "nosniff"],
                 body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
