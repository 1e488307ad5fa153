import CZstd
import Foundation

/// Zstandard for whole files, streamed in 1 MiB pieces so a database of any size never sits
/// in memory (backups: `telltale backup --to FILE.zst`).
public enum ZstdFile {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    static let chunk = 1 << 20

    /// Whether the file starts with a Zstandard frame.
    public static func isCompressed(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        return Zstd.isFrame((try? handle.read(upToCount: 4)) ?? Data())
    }

    /// Writes `source` compressed at `level` to `destination`.
    public static func compress(_ source: String, to destination: String, level: Int32 = 3) throws {
        guard let context = ZSTD_createCCtx() else { throw Failure(description: "zstd: out of memory") }
        defer { ZSTD_freeCCtx(context) }
        _ = ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level)
        try stream(source, destination) { input, last, output in
            try input.withUnsafeBytes { raw in
                var inBuffer = ZSTD_inBuffer(src: raw.baseAddress, size: raw.count, pos: 0)
                var finished = false
                while !finished {
                    let (remaining, _) = try drain(&output) { outBuffer in
                        ZSTD_compressStream2(context, &outBuffer, &inBuffer, last ? ZSTD_e_end : ZSTD_e_continue)
                    }
                    finished = last ? remaining == 0 : inBuffer.pos == inBuffer.size
                }
            }
        }
    }

    /// Writes `source`, a Zstandard file, decompressed to `destination`.
    public static func decompress(_ source: String, to destination: String) throws {
        guard let context = ZSTD_createDCtx() else { throw Failure(description: "zstd: out of memory") }
        defer { ZSTD_freeDCtx(context) }
        var pending = 1
        try stream(source, destination) { input, last, output in
            try input.withUnsafeBytes { raw in
                var inBuffer = ZSTD_inBuffer(src: raw.baseAddress, size: raw.count, pos: 0)
                // Until the input is used and the decoder had no more to give than room was left,
                // or it said the frame is done: asked again then, it would wait for another frame.
                var written = 0
                repeat {
                    (pending, written) = try drain(&output) { outBuffer in ZSTD_decompressStream(context, &outBuffer, &inBuffer) }
                } while inBuffer.pos < inBuffer.size || (written == chunk && pending != 0)
            }
            if last, pending != 0 { throw Failure(description: "\(source) ends in the middle of a Zstandard frame") }
        }
    }

    /// Runs one streaming step into a fresh output piece, appends what it wrote, and returns
    /// the step's result (bytes still to flush, or a hint) and how much it wrote, or throws its error.
    private static func drain(_ output: inout Data, _ step: (inout ZSTD_outBuffer) -> Int) throws -> (Int, Int) {
        var piece = [UInt8](repeating: 0, count: chunk)
        let (result, written) = piece.withUnsafeMutableBytes { raw -> (Int, Int) in
            var outBuffer = ZSTD_outBuffer(dst: raw.baseAddress, size: raw.count, pos: 0)
            let result = step(&outBuffer)
            return (result, outBuffer.pos)
        }
        if ZSTD_isError(result) != 0 { throw Failure(description: "zstd: " + String(cString: ZSTD_getErrorName(result))) }
        output.append(contentsOf: piece.prefix(written))
        return (result, written)
    }

    /// Reads `source` in pieces, hands each (and whether it is the last) to `transform`, and
    /// writes what it produced to `destination`, created anew.
    private static func stream(_ source: String, _ destination: String, _ transform: (Data, Bool, inout Data) throws -> Void) throws {
        guard let input = FileHandle(forReadingAtPath: source) else { throw Failure(description: "cannot read \(source)") }
        defer { try? input.close() }
        guard FileManager.default.createFile(atPath: destination, contents: nil, attributes: [.posixPermissions: 0o600]),
              let output = FileHandle(forWritingAtPath: destination) else { throw Failure(description: "cannot write \(destination)") }
        defer { try? output.close() }
        var piece = try input.read(upToCount: chunk) ?? Data()
        while true {
            let next = try input.read(upToCount: chunk) ?? Data()
            var produced = Data()
            try transform(piece, next.isEmpty, &produced)
            try output.write(contentsOf: produced)
            if next.isEmpty { break }
            piece = next
        }
        try output.synchronize()
    }
}
