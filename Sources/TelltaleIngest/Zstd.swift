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

    /// Contexts, each owned by its own lock and used only inside it, so a context never
    /// crosses threads unguarded. Creating one runs `cpuid` (a trap to the hypervisor on a VM,
    /// about 3% of ingest CPU when done per event) and a decoder's also clears its buffers,
    /// so they are made once and reused; a caller takes the first free slot.
    private static let compressors = ContextPool<CompressionContext>()
    private static let decompressors = ContextPool<DecompressionContext>()

    /// Owns one `ZSTD_CCtx` for as long as it lives.
    struct CompressionContext: ZstdContext, ~Copyable {
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

    /// Owns one `ZSTD_DCtx` for as long as it lives, its window capped so a small input
    /// cannot make it reserve gigabytes.
    struct DecompressionContext: ZstdContext, ~Copyable {
        let pointer: OpaquePointer

        init?() {
            guard let pointer = ZSTD_createDCtx() else { return nil }
            self.pointer = pointer
            _ = ZSTD_DCtx_setParameter(pointer, ZSTD_d_windowLogMax, 27)
        }

        deinit { ZSTD_freeDCtx(pointer) }

        func decompress(_ input: [UInt8], limit: Int) -> Result<[UInt8], DecodeError> {
            // A frame left half-read by an earlier error must not leak into this one.
            _ = ZSTD_DCtx_reset(pointer, ZSTD_reset_session_only)
            return input.withUnsafeBytes { source in
                // Stored payloads are one frame that names its size: decoded in one call into
                // an array of exactly that size. Anything else (a request body) is streamed.
                let declared = ZSTD_getFrameContentSize(source.baseAddress, source.count)
                if declared < UInt64(ZSTD_CONTENTSIZE_ERROR), declared <= UInt64(limit),
                   ZSTD_findFrameCompressedSize(source.baseAddress, source.count) == source.count {
                    var failed = false
                    let output = [UInt8](unsafeUninitializedCapacity: Int(declared)) { buffer, count in
                        let written = ZSTD_decompressDCtx(pointer, buffer.baseAddress, Int(declared), source.baseAddress, source.count)
                        failed = ZSTD_isError(written) != 0 || written != Int(declared)
                        count = failed ? 0 : written
                    }
                    return failed ? .failure(.corrupt) : .success(output)
                }
                return stream(source, limit: limit)
            }
        }

        private func stream(_ source: UnsafeRawBufferPointer, limit: Int) -> Result<[UInt8], DecodeError> {
            var output: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65_536)
            var inBuffer = ZSTD_inBuffer(src: source.baseAddress, size: source.count, pos: 0)
            var frameOpen = false
            while inBuffer.pos < inBuffer.size || frameOpen {
                var produced = 0
                let status = chunk.withUnsafeMutableBytes { target -> Int in
                    var outBuffer = ZSTD_outBuffer(dst: target.baseAddress, size: target.count, pos: 0)
                    let status = ZSTD_decompressStream(pointer, &outBuffer, &inBuffer)
                    produced = outBuffer.pos
                    return status
                }
                if ZSTD_isError(status) != 0 { return .failure(.corrupt) }
                output.append(contentsOf: chunk[0..<produced])
                if output.count > limit { return .failure(.tooLarge) }
                frameOpen = status != 0
                // Input used up mid-frame and no output room was needed: the frame is cut short.
                if frameOpen && inBuffer.pos == inBuffer.size && produced < chunk.count { return .failure(.corrupt) }
            }
            return .success(output)
        }
    }

    /// One frame holding `input` at `level` (1 is the fastest of the regular levels).
    static func compress(_ input: [UInt8], level: Int32 = 1) -> [UInt8]? {
        compressors.withContext { $0.compress(input, level: level) } ?? nil
    }

    /// Why a Zstandard input could not be decoded.
    enum DecodeError: Error {
        /// The output would pass the limit.
        case tooLarge
        /// Not valid Zstandard, or truncated.
        case corrupt
    }

    /// Decodes every frame in `input`, stopping as soon as the output passes `limit`.
    static func decompress(_ input: [UInt8], limit: Int) throws(DecodeError) -> [UInt8] {
        guard let result = decompressors.withContext({ $0.decompress(input, limit: limit) }) else { throw .corrupt }
        return try result.get()
    }
}

/// A Zstandard context a pool can make on first use.
/// (A type known to every thread: the pool makes contexts from any of them.)
protocol ZstdContext: ~Copyable, SendableMetatype {
    init?()
}

/// Reusable contexts of one kind: a fixed number of slots, each behind its own lock.
struct ContextPool<Context: ZstdContext & ~Copyable>: Sendable {
    private final class Slot: Sendable {
        let context = Mutex<Context?>(nil)
    }

    private let slots = (0..<8).map { _ in Slot() }

    /// `body`'s result with the first free context (made on first use), or with one made for
    /// this call when every slot is busy; nil when no context could be made.
    func withContext<Result: Sendable>(_ body: (borrowing Context) -> Result) -> Result? {
        for slot in slots {
            let result: Result?? = slot.context.withLockIfAvailable { context in
                if context == nil { context = Context() }
                switch context {
                case .some(let made): return body(made)
                case .none: return nil
                }
            }
            if let result { return result }
        }
        guard let made = Context() else { return nil }
        return body(made)
    }
}
