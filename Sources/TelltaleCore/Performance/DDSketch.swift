import Foundation

/// A mergeable quantile sketch (DDSketch, Masson, Rim and Lee, VLDB 2019), written by hand:
/// positive values fall into logarithmic bins of ratio γ = (1 + α) / (1 − α), so any
/// quantile it answers is within α relative error of the exact value, and two sketches
/// merge by adding their bins. Values at or below `minimum` (zeros, CLS of a still page)
/// count in a zero bin. Stored as a compact varint encoding (a few bytes per bin).
public struct DDSketch: Sendable, Equatable {
    /// Relative accuracy: half of the 1 % the percentiles promise.
    public static let relativeAccuracy = 0.005
    static let gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy)
    static let logGamma = log(gamma)
    /// Values at or below this count as zero.
    static let minimum = 1e-6

    /// Bin index → count.
    public private(set) var bins: [Int32: UInt64] = [:]
    public private(set) var zeroCount: UInt64 = 0
    public private(set) var count: UInt64 = 0
    public private(set) var sum: Double = 0
    public private(set) var min: Double = .infinity
    public private(set) var max: Double = -.infinity

    public init() {}

    public var isEmpty: Bool { count == 0 }

    /// Adds a value (negative and non-finite values are the caller's to reject; they count as zero here).
    public mutating func add(_ value: Double, count n: UInt64 = 1) {
        guard n > 0 else { return }
        let v = value.isFinite ? Swift.max(0, value) : 0
        if v <= Self.minimum {
            zeroCount += n
        } else {
            bins[Self.index(of: v), default: 0] += n
        }
        count += n
        sum += v * Double(n)
        min = Swift.min(min, v)
        max = Swift.max(max, v)
    }

    /// Adds another sketch's values.
    public mutating func merge(_ other: DDSketch) {
        guard !other.isEmpty else { return }
        for (index, n) in other.bins { bins[index, default: 0] += n }
        zeroCount += other.zeroCount
        count += other.count
        sum += other.sum
        min = Swift.min(min, other.min)
        max = Swift.max(max, other.max)
    }

    static func index(of value: Double) -> Int32 { Int32((log(value) / logGamma).rounded(.up)) }

    /// The representative of a bin: within α of every value that falls in it.
    static func value(of index: Int32) -> Double { 2 * pow(gamma, Double(index)) / (gamma + 1) }

    /// The q-quantile (0 ≤ q ≤ 1) by rank ⌈q·n⌉ (nearest rank), clamped to the seen range; nil when empty.
    public func quantile(_ q: Double) -> Double? {
        guard count > 0 else { return nil }
        let rank = Swift.max(1, UInt64((Swift.min(Swift.max(q, 0), 1) * Double(count)).rounded(.up)))
        if rank <= zeroCount { return Swift.max(0, min) }
        var seen = zeroCount
        for index in bins.keys.sorted() {
            seen += bins[index] ?? 0
            if seen >= rank { return Swift.min(Swift.max(Self.value(of: index), min), max) }
        }
        return max
    }

    /// Several quantiles in one walk over the bins.
    public func quantiles(_ qs: [Double]) -> [Double?] {
        guard count > 0 else { return qs.map { _ in nil } }
        let ranks = qs.map { Swift.max(1, UInt64((Swift.min(Swift.max($0, 0), 1) * Double(count)).rounded(.up))) }
        var answers = [Double?](repeating: nil, count: qs.count)
        for (i, rank) in ranks.enumerated() where rank <= zeroCount { answers[i] = Swift.max(0, min) }
        var seen = zeroCount
        for index in bins.keys.sorted() {
            seen += bins[index] ?? 0
            for (i, rank) in ranks.enumerated() where answers[i] == nil && seen >= rank {
                answers[i] = Swift.min(Swift.max(Self.value(of: index), min), max)
            }
        }
        return answers.map { $0 ?? max }
    }

    /// The mean of the values added.
    public var mean: Double? { count > 0 ? sum / Double(count) : nil }

    /// Counts per bin in `[lower, upper)` ranges, for a histogram chart of `buckets` equal log-spaced bars.
    public func histogram(buckets: Int) -> [(lower: Double, upper: Double, count: UInt64)] {
        guard count > 0, buckets > 0 else { return [] }
        let low = Swift.max(min, Self.minimum * 10), high = Swift.max(max, low * 1.0001)
        let step = log(high / low) / Double(buckets)
        var counts = [UInt64](repeating: 0, count: buckets)
        counts[0] += zeroCount
        for (index, n) in bins {
            let v = Self.value(of: index)
            let slot = v <= low ? 0 : Swift.min(buckets - 1, Int(log(v / low) / step))
            counts[slot] += n
        }
        return (0..<buckets).map { (low * exp(step * Double($0)), low * exp(step * Double($0 + 1)), counts[$0]) }
    }

    // MARK: Encoding

    static let formatVersion: UInt8 = 1

    /// Version, counts, sum and range, then bins as (zig-zag index delta, count) varints in index order.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = [Self.formatVersion]
        out.reserveCapacity(24 + bins.count * 3)
        Self.putVarint(zeroCount, &out)
        Self.putDouble(sum, &out)
        Self.putDouble(count > 0 ? min : 0, &out)
        Self.putDouble(count > 0 ? max : 0, &out)
        Self.putVarint(UInt64(bins.count), &out)
        var previous: Int32 = 0
        for index in bins.keys.sorted() {
            let delta = Int64(index) - Int64(previous)
            Self.putVarint(UInt64(bitPattern: (delta << 1) ^ (delta >> 63)), &out)
            Self.putVarint(bins[index] ?? 0, &out)
            previous = index
        }
        return out
    }

    /// Reads `encoded()`; nil for bytes that are not a sketch.
    public init?(encoded bytes: some Collection<UInt8>) {
        var reader = Reader(bytes: Array(bytes))
        guard reader.byte() == Self.formatVersion, let zero = reader.varint(), let sum = reader.double(),
              let low = reader.double(), let high = reader.double(), let binCount = reader.varint(), binCount < 1_000_000 else { return nil }
        zeroCount = zero
        count = zero
        self.sum = sum
        var index: Int64 = 0
        for _ in 0..<binCount {
            guard let zigzag = reader.varint(), let n = reader.varint() else { return nil }
            index += Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1)
            guard let key = Int32(exactly: index) else { return nil }
            bins[key] = n
            count += n
        }
        guard reader.atEnd else { return nil }
        min = count > 0 ? low : .infinity
        max = count > 0 ? high : -.infinity
    }

    static func putVarint(_ value: UInt64, _ out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    static func putDouble(_ value: Double, _ out: inout [UInt8]) {
        var bits = value.bitPattern.littleEndian
        withUnsafeBytes(of: &bits) { out.append(contentsOf: $0) }
    }

    struct Reader {
        let bytes: [UInt8]
        var offset = 0

        var atEnd: Bool { offset == bytes.count }

        mutating func byte() -> UInt8? {
            guard offset < bytes.count else { return nil }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func varint() -> UInt64? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while let b = byte() {
                value |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return value }
                shift += 7
                if shift > 63 { return nil }
            }
            return nil
        }

        mutating func double() -> Double? {
            guard offset + 8 <= bytes.count else { return nil }
            var bits: UInt64 = 0
            for i in 0..<8 { bits |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
            offset += 8
            return Double(bitPattern: UInt64(littleEndian: bits))
        }
    }
}
