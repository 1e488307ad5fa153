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
}
