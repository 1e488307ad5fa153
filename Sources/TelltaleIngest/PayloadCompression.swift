import CompressNIO
import NIOCore

/// Compression of stored payloads (event JSON): Zstandard level 1 when writing; reading also
/// takes the zlib payloads written by earlier versions, told apart by the frame's magic.
public enum PayloadCompression {
    /// Compresses JSON bytes for storage.
    public static func compress(_ bytes: [UInt8]) -> [UInt8] {
        Zstd.compress(bytes) ?? bytes
    }

    /// Decompresses a stored payload.
    public static func decompress(_ bytes: [UInt8]) throws -> [UInt8] {
        if Zstd.isFrame(bytes) {
            return try Zstd.decompress(bytes, limit: Int(Int32.max))
        }
        var buffer = ByteBuffer(bytes: bytes)
        return Array(buffer: try buffer.decompress(with: .zlib()))
    }
}
