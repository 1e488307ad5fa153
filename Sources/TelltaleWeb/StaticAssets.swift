public import Hummingbird
import HTTPTypes
import NIOCore
public import TelltaleHTTP

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

/// `/js/telltale.js`: the browser script pages elsewhere load (errors, failed calls, Web
/// Vitals), and `/js/telltale-feedback.js`, the report widget. Their URLs have no version, so
/// browsers keep them an hour; any origin may load them.
public struct BrowserScript: Sendable {
    public init() {}

    public func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        router.get("js/telltale.js") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "public, max-age=3600",
                                            .xContentTypeOptions: "nosniff", .accessControlAllowOrigin: "*"],
                     body: .init(byteBuffer: ByteBuffer(bytes: PackageResources.telltale_js)))
        }
        // The feedback widget: a button and a form that file user reports with the same DSN.
        router.get("js/telltale-feedback.js") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "public, max-age=3600",
                                            .xContentTypeOptions: "nosniff", .accessControlAllowOrigin: "*"],
                     body: .init(byteBuffer: ByteBuffer(bytes: PackageResources.telltale_feedback_js)))
        }
    }
}
