public import Hummingbird
import NIOCore

extension Response {
    /// Stored image bytes with the type they were proven to be (never sniffed into anything
    /// else, shown inline, cached only by the browser that may see them).
    public static func image(contentType: String, bytes: [UInt8]) -> Response {
        Response(status: .ok, headers: [.contentType: contentType, .xContentTypeOptions: "nosniff", .contentDisposition: "inline",
                                        .cacheControl: "private, max-age=3600"],
                 body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
