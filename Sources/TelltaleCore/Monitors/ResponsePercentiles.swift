/// p50, p95 and p99 of a set of response times (nearest rank).
public struct ResponsePercentiles: Sendable, Hashable {
    public var count: Int
    public var p50: Double?
    public var p95: Double?
    public var p99: Double?

    public init(_ values: [Double]) {
        let sorted = values.sorted()
        count = sorted.count
        func rank(_ q: Double) -> Double? {
            guard !sorted.isEmpty else { return nil }
            return sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
        }
        p50 = rank(0.5)
        p95 = rank(0.95)
        p99 = rank(0.99)
    }
}
