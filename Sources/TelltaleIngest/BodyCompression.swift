import CBrotli
import CompressNIO
public import NIOCore

/// Compresses a request body as SDKs do, for clients of the ingest endpoints (the CLI's
/// self-test sends both encodings the server decodes from browsers and SDKs).
public enum BodyCompression {
    /// `Content-Encoding: gzip`.
    public static func gzip(_ bytes: [UInt8]) throws -> ByteBuffer {
        var input = ByteBuffer(bytes: bytes)
        return try input.compress(with: .gzip())
    }

    /// `Content-Encoding: br`, at quality 5 of 11 (fast, still small); `nil` if the encoder fails.
    public static func brotli(_ bytes: [UInt8]) -> [UInt8]? {
        var size = BrotliEncoderMaxCompressedSize(bytes.count)
        guard size > 0 else { return nil }
        var output = [UInt8](repeating: 0, count: size)
        let ok = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                BrotliEncoderCompress(5, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, input.count, input.baseAddress, &size, out.baseAddress)
            }
        }
        guard ok == BROTLI_TRUE else { return nil }
        return Array(output.prefix(size))
    }
}
