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

    /// Counts of bins `offset`, `offset + 1`, …
    private(set) var counts: [UInt64] = []
    private(set) var offset: Int32 = 0
    public private(set) var zeroCount: UInt64 = 0
    public private(set) var count: UInt64 = 0
    public private(set) var sum: Double = 0
    public private(set) var min: Double = .infinity
    public private(set) var max: Double = -.infinity

    public init() {}

    /// Equal when they hold the same values, whatever room their arrays keep.
    public static func == (a: DDSketch, b: DDSketch) -> Bool {
        a.count == b.count && a.zeroCount == b.zeroCount && a.sum == b.sum && a.min == b.min && a.max == b.max && a.bins == b.bins
    }

    public var isEmpty: Bool { count == 0 }

    /// Adds a value (negative and non-finite values are the caller's to reject; they count as zero here).
    public mutating func add(_ value: Double, count n: UInt64 = 1) {
        guard n > 0 else { return }
        let v = value.isFinite ? Swift.max(0, value) : 0
        if v <= Self.minimum {
            zeroCount += n
        } else {
            addToBin(Self.index(of: v), n)
        }
        count += n
        sum += v * Double(n)
        min = Swift.min(min, v)
        max = Swift.max(max, v)
    }

    /// Bin index → count, for tests and charts.
    public var bins: [Int32: UInt64] {
        var result: [Int32: UInt64] = [:]
        for (i, n) in counts.enumerated() where n > 0 { result[offset + Int32(i)] = n }
        return result
    }

    /// Makes room for bins `low...high`.
    mutating func cover(_ low: Int32, _ high: Int32) {
        if counts.isEmpty {
            offset = low
            counts = [UInt64](repeating: 0, count: Int(high - low) + 1)
            return
        }
        if low < offset {
            counts.insert(contentsOf: repeatElement(0, count: Int(offset - low)), at: 0)
            offset = low
        }
        let top = offset + Int32(counts.count) - 1
        if high > top { counts.append(contentsOf: repeatElement(0, count: Int(high - top))) }
    }

    mutating func addToBin(_ index: Int32, _ n: UInt64) {
        cover(index, index)
        counts[Int(index - offset)] += n
    }

    /// Adds another sketch's values.
    public mutating func merge(_ other: DDSketch) {
        guard !other.isEmpty else { return }
        if !other.counts.isEmpty {
            cover(other.offset, other.offset + Int32(other.counts.count) - 1)
            let start = Int(other.offset - offset)
            counts.withUnsafeMutableBufferPointer { mine in
                for (i, n) in other.counts.enumerated() { mine[start + i] &+= n }
            }
        }
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
        for (i, n) in counts.enumerated() where n > 0 {
            seen += n
            if seen >= rank { return Swift.min(Swift.max(Self.value(of: offset + Int32(i)), min), max) }
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
        for (b, n) in counts.enumerated() where n > 0 {
            seen += n
            for (i, rank) in ranks.enumerated() where answers[i] == nil && seen >= rank {
                answers[i] = Swift.min(Swift.max(Self.value(of: offset + Int32(b)), min), max)
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
        var bars = [UInt64](repeating: 0, count: buckets)
        bars[0] += zeroCount
        for (i, n) in counts.enumerated() where n > 0 {
            let v = Self.value(of: offset + Int32(i))
            let slot = v <= low ? 0 : Swift.min(buckets - 1, Int(log(v / low) / step))
            bars[slot] += n
        }
        return (0..<buckets).map { (low * exp(step * Double($0)), low * exp(step * Double($0 + 1)), bars[$0]) }
    }

    // MARK: Encoding

    static let formatVersion: UInt8 = 1

    /// Version, counts, sum and range, then bins as (zig-zag index delta, count) varints in index order.
    public func encoded() -> [UInt8] {
        let used = counts.reduce(0) { $0 + ($1 > 0 ? 1 : 0) }
        var out: [UInt8] = [Self.formatVersion]
        out.reserveCapacity(40 + used * 3)
        Self.putVarint(zeroCount, &out)
        Self.putDouble(sum, &out)
        Self.putDouble(count > 0 ? min : 0, &out)
        Self.putDouble(count > 0 ? max : 0, &out)
        Self.putVarint(UInt64(used), &out)
        var previous: Int32 = 0
        for (i, n) in counts.enumerated() where n > 0 {
            let index = offset + Int32(i)
            let delta = Int64(index) - Int64(previous)
            Self.putVarint(UInt64(bitPattern: (delta << 1) ^ (delta >> 63)), &out)
            Self.putVarint(n, &out)
            previous = index
        }
        return out
    }

    /// Reads `encoded()`; nil for bytes that are not a sketch.
    public init?(encoded bytes: some Collection<UInt8>) {
        self.init()
        guard merge(encoded: bytes) else { return nil }
    }

    /// Adds the values of an encoded sketch without building it first; false (and nothing
    /// added) for bytes that are not a sketch.
    @discardableResult
    public mutating func merge(encoded bytes: some Collection<UInt8>) -> Bool {
        let data = Array(bytes)
        var reader = Reader(bytes: data)
        guard reader.byte() == Self.formatVersion, let zero = reader.varint(), let addedSum = reader.double(),
              let low = reader.double(), let high = reader.double(), let binCount = reader.varint(), binCount < 1_000_000 else { return false }
        // Validate and find the range first, so a bad row changes nothing.
        let start = reader.offset
        var index: Int64 = 0, lowest = Int64.max, highest = Int64.min, added: UInt64 = 0
        for _ in 0..<binCount {
            guard let zigzag = reader.varint(), let n = reader.varint() else { return false }
            index += Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1)
            guard index >= Int64(Int32.min / 2), index <= Int64(Int32.max / 2) else { return false }
            lowest = Swift.min(lowest, index)
            highest = Swift.max(highest, index)
            added &+= n
        }
        guard reader.atEnd else { return false }
        if binCount > 0 {
            cover(Int32(lowest), Int32(highest))
            reader.offset = start
            index = 0
            let base = Int64(offset)
            counts.withUnsafeMutableBufferPointer { mine in
                for _ in 0..<binCount {
                    let zigzag = reader.varint()!, n = reader.varint()!
                    index += Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1)
                    mine[Int(index - base)] &+= n
                }
            }
        }
        let total = zero &+ added
        zeroCount += zero
        count += total
        sum += addedSum
        if total > 0 {
            min = Swift.min(min, low)
            max = Swift.max(max, high)
        }
        return true
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
