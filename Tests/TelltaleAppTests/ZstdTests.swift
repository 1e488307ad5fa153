import Foundation
import Testing
@testable import TelltaleIngest

/// Stored payloads and `Content-Encoding: zstd` bodies through the reused Zstandard contexts.
@Suite struct ZstdTests {
    let json = Array(String(repeating: #"{"message":"KeyError: 'sku'","level":"error"},"#, count: 400).utf8)

    @Test func storedPayloadsRoundTrip() throws {
        let compressed = PayloadCompression.compress(json)
        #expect(compressed.count < json.count / 10)
        #expect(try PayloadCompression.decompress(compressed) == json)
        // The same contexts serve call after call, from many threads at once.
        let outputs = try (0..<50).map { _ in try PayloadCompression.decompress(compressed) }
        #expect(outputs.allSatisfy { $0 == json })
    }

    @Test func concurrentCallsShareThePool() async throws {
        let inputs = (0..<64).map { Array("payload \($0) ".utf8) + json }
        let matched = await withTaskGroup(of: Bool.self) { group in
            for input in inputs {
                group.addTask {
                    guard let compressed = Zstd.compress(input) else { return false }
                    return (try? Zstd.decompress(compressed, limit: 1 << 20)) == input
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(matched == inputs.count)
    }

    @Test func severalFramesAreStreamed() throws {
        // Two frames back to back (a body compressed in pieces): decoded as one stream.
        let first = try #require(Zstd.compress(Array("first,".utf8)))
        let second = try #require(Zstd.compress(json))
        #expect(try Zstd.decompress(first + second, limit: 1 << 20) == Array("first,".utf8) + json)
    }

    @Test func badInputIsRefusedAndLeavesTheContextClean() throws {
        let compressed = try #require(Zstd.compress(json))
        #expect(throws: Zstd.DecodeError.corrupt) { try Zstd.decompress(Array(compressed.prefix(compressed.count / 2)), limit: 1 << 20) }
        #expect(throws: Zstd.DecodeError.corrupt) { try Zstd.decompress(Zstd.magic + Array(repeating: 0xFF, count: 40), limit: 1 << 20) }
        #expect(throws: Zstd.DecodeError.tooLarge) { try Zstd.decompress(compressed, limit: 100) }
        #expect(throws: Zstd.DecodeError.tooLarge) { try Zstd.decompress(compressed + compressed, limit: json.count) }
        // A context that saw a truncated frame decodes the next input from a clean start.
        for _ in 0..<20 {
            _ = try? Zstd.decompress(Array(compressed.prefix(40)), limit: 1 << 20)
            #expect(try Zstd.decompress(compressed, limit: 1 << 20) == json)
        }
    }

    /// Backups: files several times the streaming piece, part random (incompressible, so the
    /// compressed file spans pieces too) and part repetitive (one input piece expands into
    /// more than one output piece on the way back).
    @Test func filesRoundTripInPieces() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zstd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var bytes = (0..<(ZstdFile.chunk * 2 + 12_345)).map { _ in UInt8.random(in: 0...255) }
        bytes += Array(repeating: 7, count: ZstdFile.chunk * 3)
        let (plain, packed, unpacked) = (folder.appendingPathComponent("a.db").path, folder.appendingPathComponent("a.db.zst").path, folder.appendingPathComponent("b.db").path)
        try Data(bytes).write(to: URL(fileURLWithPath: plain))
        try ZstdFile.compress(plain, to: packed)
        #expect(ZstdFile.isCompressed(packed) && !ZstdFile.isCompressed(plain))
        try ZstdFile.decompress(packed, to: unpacked)
        #expect(FileManager.default.contents(atPath: unpacked) == Data(bytes))
        // A file cut short is refused, not restored half.
        let whole = try #require(FileManager.default.contents(atPath: packed))
        try whole.prefix(whole.count - 100).write(to: URL(fileURLWithPath: packed))
        #expect(throws: ZstdFile.Failure.self) { try ZstdFile.decompress(packed, to: unpacked) }
    }

    /// A file whose size is a whole number of pieces (a database of 2 MiB) ends with a step that
    /// fills its output exactly; the decoder has finished then and must not be asked for more.
    @Test func filesOfWholePiecesRoundTrip() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zstd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for size in [ZstdFile.chunk, ZstdFile.chunk * 2] {
            // Compressible, like a database; random bytes are stored raw and decoded differently.
            let bytes = Data((0..<size).map { UInt8($0 % 251) })
            let (plain, packed, unpacked) = (folder.appendingPathComponent("a\(size).db").path, folder.appendingPathComponent("a\(size).db.zst").path, folder.appendingPathComponent("b\(size).db").path)
            try bytes.write(to: URL(fileURLWithPath: plain))
            try ZstdFile.compress(plain, to: packed)
            try ZstdFile.decompress(packed, to: unpacked)
            #expect(FileManager.default.contents(atPath: unpacked) == bytes)
        }
    }
}
