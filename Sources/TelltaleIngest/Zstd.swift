import CZstd
import Synchronization

/// Zstandard through Debian's libzstd: stored payloads (several times faster than zlib at a
/// similar ratio, and payloads are written on every event) and `Content-Encoding: zstd`.
enum Zstd {
    /// The first four bytes of every Zstandard frame.
    static let magic: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]

    /// Whether `bytes` start with a Zstandard frame.
    static func isFrame(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.starts(with: magic)
    }

    /// Compression contexts, each owned by its own lock and used only inside it, so a context
    /// never crosses threads unguarded. Creating one runs `cpuid` (a trap to the hypervisor
    /// on a VM, about 3% of ingest CPU when done per event), so they are made once and reused;
    /// a caller takes the first free slot.
    private static let slots = (0..<8).map { _ in ContextSlot() }

    private final class ContextSlot: Sendable {
        let context = Mutex<CompressionContext?>(nil)
    }

    /// Owns one `ZSTD_CCtx` for as long as it lives.
    private struct CompressionContext: ~Copyable {
        let pointer: OpaquePointer

        init?() {
            guard let pointer = ZSTD_createCCtx() else { return nil }
            self.pointer = pointer
        }

        deinit { ZSTD_freeCCtx(pointer) }

        func compress(_ input: [UInt8], level: Int32) -> [UInt8]? {
            let bound = ZSTD_compressBound(input.count)
            var failed = false
            let output = [UInt8](unsafeUninitializedCapacity: bound) { buffer, count in
                let written = input.withUnsafeBytes { source in
                    ZSTD_compressCCtx(pointer, buffer.baseAddress, bound, source.baseAddress, source.count, level)
                }
                failed = ZSTD_isError(written) != 0
                count = failed ? 0 : written
            }
            return failed ? nil : output
        }
    }

    /// One frame holding `input` at `level` (1 is the fastest of the regular levels).
    static func compress(_ input: [UInt8], level: Int32 = 1) -> [UInt8]? {
        for slot in slots {
            let result: [UInt8]?? = slot.context.withLockIfAvailable { context in
                if context == nil { context = CompressionContext() }
                return context?.compress(input, level: level)
            }
            if let result { return result }
        }
        // Every slot busy (more concurrent writers than slots): a context for this call only.
        return CompressionContext()?.compress(input, level: level)
    }

    /// Why a Zstandard input could not be decoded.
    enum DecodeError: Error {
        /// The output would pass the limit.
        case tooLarge
        /// Not valid Zstandard, or truncated.
        case corrupt
    }

    /// Decodes every frame in `input`, stopping as soon as the output passes `limit`. The
    /// window is capped too, so a small input cannot make the decoder reserve gigabytes.
    static func decompress(_ input: [UInt8], limit: Int) throws(DecodeError) -> [UInt8] {
        guard let stream = ZSTD_createDStream() else { throw .corrupt }
        defer { ZSTD_freeDStream(stream) }
        _ = ZSTD_DCtx_setParameter(stream, ZSTD_d_windowLogMax, 27)
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let outcome: DecodeError? = input.withUnsafeBytes { source in
            var inBuffer = ZSTD_inBuffer(src: source.baseAddress, size: source.count, pos: 0)
            var frameOpen = false
            while inBuffer.pos < inBuffer.size || frameOpen {
                var produced = 0
                let status = chunk.withUnsafeMutableBytes { target -> Int in
                    var outBuffer = ZSTD_outBuffer(dst: target.baseAddress, size: target.count, pos: 0)
                    let status = ZSTD_decompressStream(stream, &outBuffer, &inBuffer)
                    produced = outBuffer.pos
                    return status
                }
                if ZSTD_isError(status) != 0 { return .corrupt }
                output.append(contentsOf: chunk[0..<produced])
                if output.count > limit { return .tooLarge }
                frameOpen = status != 0
                // Input used up mid-frame and no output room was needed: the frame is cut short.
                if frameOpen && inBuffer.pos == inBuffer.size && produced < chunk.count { return .corrupt }
            }
            return nil
        }
        if let outcome { throw outcome }
        return output
    }
}
