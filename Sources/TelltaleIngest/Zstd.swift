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

    /// Idle compression contexts. Creating one runs `cpuid` (a trap to the hypervisor on a
    /// VM, about 3% of ingest CPU when done per event), so they are kept and reused.
    private static let idleContexts = Mutex<[CompressionContext]>([])

    /// A context moves between threads but is used by one caller at a time: taken from the
    /// pool, used, put back. That hand-over is what makes passing it across threads safe.
    private struct CompressionContext: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    /// One frame holding `input` at `level` (1 is the fastest of the regular levels).
    static func compress(_ input: [UInt8], level: Int32 = 1) -> [UInt8]? {
        guard let context = idleContexts.withLock({ $0.popLast() }) ?? ZSTD_createCCtx().map(CompressionContext.init) else { return nil }
        defer {
            idleContexts.withLock { idle in
                if idle.count < 16 { idle.append(context) } else { ZSTD_freeCCtx(context.pointer) }
            }
        }
        let bound = ZSTD_compressBound(input.count)
        var failed = false
        let output = [UInt8](unsafeUninitializedCapacity: bound) { buffer, count in
            let written = input.withUnsafeBytes { source in
                ZSTD_compressCCtx(context.pointer, buffer.baseAddress, bound, source.baseAddress, source.count, level)
            }
            failed = ZSTD_isError(written) != 0
            count = failed ? 0 : written
        }
        return failed ? nil : output
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
