import Foundation
import CBrotli
import CompressNIO
public import NIOCore

/// Decodes request bodies by `Content-Encoding` with a cap on the decoded size, so a small
/// compressed body cannot expand into gigabytes (decompression bombs).
public enum Decompression {
    /// Why a body could not be decoded.
    public enum Failure: Error, Sendable, Equatable {
        /// The decoded body would exceed the limit (413).
        case tooLarge(limit: Int)
        /// The bytes are not valid for the encoding (400).
        case corrupt(encoding: String)
        /// An encoding this server does not decode (415).
        case unsupported(encoding: String)
    }

    /// Decodes `body` per the `Content-Encoding` header value.
    public static func decode(_ body: ByteBuffer, encoding: String?, limit: Int) throws(Failure) -> [UInt8] {
        let name = encoding?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        switch name {
        case "", "identity", "utf-8":
            guard body.readableBytes <= limit else { throw .tooLarge(limit: limit) }
            return Array(buffer: body)
        case "gzip", "x-gzip":
            return try zlib(body, algorithm: .gzip(), name: name, limit: limit)
        case "deflate":
            // zlib-wrapped per the RFC; some clients send raw deflate, so fall back to it.
            do {
                return try zlib(body, algorithm: .zlib(), name: name, limit: limit)
            } catch .corrupt {
                return try zlib(body, algorithm: .deflate(), name: name, limit: limit)
            }
        case "br":
            return try brotli(Array(buffer: body), limit: limit)
        case "zstd":
            do {
                return try Zstd.decompress(Array(buffer: body), limit: limit)
            } catch .tooLarge {
                throw .tooLarge(limit: limit)
            } catch {
                throw .corrupt(encoding: name)
            }
        default:
            throw .unsupported(encoding: name)
        }
    }

    private static func zlib(_ body: ByteBuffer, algorithm: CompressionAlgorithm, name: String, limit: Int) throws(Failure) -> [UInt8] {
        var input = body
        do {
            let output = try input.decompress(with: algorithm, maxSize: limit + 1)
            guard output.readableBytes <= limit else { throw Failure.tooLarge(limit: limit) }
            return Array(buffer: output)
        } catch let error as CompressNIOError where error == .bufferOverflow {
            throw .tooLarge(limit: limit)
        } catch let error as Failure {
            throw error
        } catch {
            throw .corrupt(encoding: name)
        }
    }

    /// Streams brotli output in 64 KiB steps, stopping as soon as the limit is passed.
    static func brotli(_ input: [UInt8], limit: Int) throws(Failure) -> [UInt8] {
        guard let state = BrotliDecoderCreateInstance(nil, nil, nil) else { throw .corrupt(encoding: "br") }
        defer { BrotliDecoderDestroyInstance(state) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let result: BrotliDecoderResult = input.withUnsafeBufferPointer { inputBuffer in
            var availableIn = inputBuffer.count
            var nextIn = inputBuffer.baseAddress
            while true {
                var availableOut = chunk.count
                let status = chunk.withUnsafeMutableBufferPointer { outBuffer -> BrotliDecoderResult in
                    var nextOut = outBuffer.baseAddress
                    return BrotliDecoderDecompressStream(state, &availableIn, &nextIn, &availableOut, &nextOut, nil)
                }
                output.append(contentsOf: chunk[0..<(chunk.count - availableOut)])
                if output.count > limit { return BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT }
                if status != BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT { return status }
            }
        }
        if output.count > limit { throw .tooLarge(limit: limit) }
        guard result == BROTLI_DECODER_RESULT_SUCCESS else { throw .corrupt(encoding: "br") }
        return output
    }
}
