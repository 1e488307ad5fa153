import Foundation
import Logging
import SentryProtocol
import TelltaleCore
import TelltaleIngest
import TelltaleStore

// Performance-data generator for scripts/bench-performance.sh: N transactions over D days in
// K transaction names, written into a stopped Telltale's database as the rollup job leaves
// them: hourly and daily rows built with the same tally and sketches (through
// `importRollups`), the raw rows of the last seven days through the ingest writer (samples
// and waterfalls read them). Then the exact percentiles of the generated durations (nearest
// rank) for the last 24 hours and 7 days, per name, to compare with what the API answers.
//   telltale-performance-bench DATABASE_URL EXPECTED_JSON [transactions=10000000] [names=200] [days=30]

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    print("usage: telltale-performance-bench DATABASE_URL EXPECTED_JSON [transactions] [names] [days]")
    exit(2)
}
let total = arguments.count > 3 ? Int(arguments[3]) ?? 10_000_000 : 10_000_000
let nameCount = arguments.count > 4 ? Int(arguments[4]) ?? 200 : 200
let days = arguments.count > 5 ? Int(arguments[5]) ?? 30 : 30

/// SplitMix64: fast, seeded, reproducible.
struct Random {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func normal() -> Double { sqrt(-2 * log(max(unit(), 1e-300))) * cos(2 * .pi * unit()) }
    mutating func hex() -> String { String(format: "%016llx%016llx", next(), next()) }
}

/// The generated traffic: names, their Zipf-like weights (name k gets 1 / (k + 1)) and their
/// log-normal durations.
struct Traffic: Sendable {
    let pages: Int
    let names: [String]
    let cumulative: [Double]
    let medians: [Double]
    let sigmas: [Double]

    init(names count: Int) {
        let pageCount = max(1, count / 10)
        pages = pageCount
        names = (0..<count).map { k in k < pageCount ? "/page-\(k)" : "/api/route-\(k)/{id}" }
        var running = 0.0
        cumulative = (0..<count).map { k in
            running += 1 / Double(k + 1)
            return running
        }
        medians = (0..<count).map { 15 * pow(1.03, Double($0 % 150)) }
        sigmas = (0..<count).map { 0.4 + Double($0 % 5) * 0.15 }
    }

    func pick(_ random: inout Random) -> Int {
        let target = random.unit() * (cumulative.last ?? 1)
        var low = 0, high = cumulative.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] < target { low = mid + 1 } else { high = mid }
        }
        return low
    }
}

/// One real stored payload (a transaction with eight spans) shared by every generated row.
func samplePayload(at now: Double) -> [UInt8] {
    var spans: [JSONValue] = []
    for i in 0..<8 {
        let begin = now - 0.19 + Double(i) * 0.02
        var span = JSONObject()
        span["span_id"] = .string(String(format: "%016x", i + 1))
        span["parent_span_id"] = .string("aaaaaaaaaaaaaaaa")
        span["op"] = .string("db")
        span["description"] = .string("select name from dishes where id = \(i)")
        span["start_timestamp"] = .double(begin)
        span["timestamp"] = .double(begin + 0.01)
        spans.append(.object(span))
    }
    var trace = JSONObject()
    trace["trace_id"] = .string(String(repeating: "cd", count: 16))
    trace["span_id"] = .string("aaaaaaaaaaaaaaaa")
    trace["op"] = .string("http.server")
    trace["status"] = .string("ok")
    var event = JSONObject()
    event["type"] = .string("transaction")
    event["event_id"] = .string(String(repeating: "ab", count: 16))
    event["transaction"] = .string("/api/route-0/{id}")
    event["start_timestamp"] = .double(now - 0.2)
    event["timestamp"] = .double(now)
    event["platform"] = .string("python")
    event["contexts"] = .object(["trace": .object(trace)])
    event["spans"] = .array(spans)
    return PayloadCompression.compress(JSONValue.object(event).serialized())
}

let traffic = Traffic(names: nameCount)
let now = Date().timeIntervalSince1970 - 120
let payload = samplePayload(at: now)
let logger = Logger(label: "telltale.bench")
let store = try await Store.open(DatabaseLocation.parse(url: arguments[1]), sqliteSynchronous: .normal, logger: logger)
let expected = try await store.whileRunning { store in
    var random = Random(state: 42)
    let span = Double(days) * 86_400
    let start = now - span
    let hourStart = (now / 3600).rounded(.down) * 3600
    let dayStart = hourStart - 86_400, weekStart = hourStart - 7 * 86_400
    var day: [[Double]] = Array(repeating: [], count: nameCount)
    var week: [[Double]] = Array(repeating: [], count: nameCount)
    var lcpDay: [Double] = []
    var batch: [IngestRecord] = []
    batch.reserveCapacity(2000)
    let began = Date()
    var hourTally = PerformanceTally()
    var hourRows: [PerformanceKey: DurationStats] = [:], dayRows: [PerformanceKey: DurationStats] = [:]
    var currentHour = Int64(start * 1000) / PerformanceTally.hour, currentDay = Int64(start * 1000) / PerformanceTally.day
    var written = 0
    func flushHour() async throws {
        for (key, stats) in hourTally.stats {
            hourRows[key.rebucketed(PerformanceTally.hour), default: DurationStats()].merge(stats)
            dayRows[key.rebucketed(PerformanceTally.day), default: DurationStats()].merge(stats)
        }
        hourTally = PerformanceTally()
        written += hourRows.count
        try await store.repositories.performance.importRollups(granularity: PerformanceTally.hour, hourRows)
        hourRows.removeAll(keepingCapacity: true)
    }
    for i in 0..<total {
        let end = start + (Double(i) + 0.5) * span / Double(total)
        let ms64 = Int64(end * 1000)
        if ms64 / PerformanceTally.hour != currentHour {
            try await flushHour()
            currentHour = ms64 / PerformanceTally.hour
            if ms64 / PerformanceTally.day != currentDay {
                written += dayRows.count
                try await store.repositories.performance.importRollups(granularity: PerformanceTally.day, dayRows)
                dayRows.removeAll(keepingCapacity: true)
                currentDay = ms64 / PerformanceTally.day
                print("  day \(Int(end - start) / 86_400) of \(days): \(i) transactions, \(Int(Date().timeIntervalSince(began))) s")
            }
        }
        let k = traffic.pick(&random)
        let ms = min(600_000, traffic.medians[k] * exp(traffic.sigmas[k] * random.normal()))
        // The API's windows start at the hour: the exact values cover the same transactions.
        if end >= weekStart { week[k].append(ms) }
        if end >= dayStart { day[k].append(ms) }
        var facts = TransactionFacts(name: traffic.names[k], op: k < traffic.pages ? "pageload" : "http.server", status: random.unit() < 0.02 ? "internal_error" : "ok",
                                     start: end - ms / 1000, end: end, userKey: random.unit() < 0.7 ? "u\(random.next() % 5000)" : nil)
        if k < traffic.pages {
            let lcp = 2200 * exp(0.5 * random.normal())
            if end >= dayStart { lcpDay.append(lcp) }
            facts.measurements = ["lcp": lcp, "fcp": 1200 * exp(0.4 * random.normal()), "ttfb": 400 * exp(0.5 * random.normal()),
                                  "inp": 150 * exp(0.6 * random.normal()), "cls": random.unit() < 0.5 ? 0 : -log(max(random.unit(), 1e-9)) * 0.08]
            facts.segments = ["device": random.unit() < 0.4 ? "mobile" : "desktop", "browser": ["Chrome", "Safari", "Firefox"][Int(random.next() % 3)]]
        }
        let eventID = random.hex()
        let release = "shop@1.\(Int(end - start) / 86_400 / 7)"
        hourTally.add(facts, projectID: 1, eventID: eventID, environment: "production", release: release, threshold: Apdex.defaultThreshold)
        if end >= weekStart {
            // The raw row only (no facts: the statistics are in the rollups already).
            batch.append(.transaction(TransactionRecord(
                projectID: ProjectID(1), eventID: eventID, traceID: nil, name: facts.name, op: facts.op, status: facts.status,
                startTimestamp: facts.start, timestamp: end, release: release, environment: "production", payload: payload
            )))
            if batch.count == 2000 {
                try await store.ingest.write(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
    }
    if !batch.isEmpty { try await store.ingest.write(batch) }
    try await flushHour()
    written += dayRows.count
    try await store.repositories.performance.importRollups(granularity: PerformanceTally.day, dayRows)
    print("generated \(total) transactions in \(nameCount) names over \(days) days in \(Int(Date().timeIntervalSince(began))) s; \(written) rollup rows")

    func exact(_ values: [Double]) -> [String: Double] {
        let sorted = values.sorted()
        func rank(_ q: Double) -> Double { sorted[max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1)] }
        return ["count": Double(sorted.count), "p50": rank(0.5), "p75": rank(0.75), "p95": rank(0.95), "p99": rank(0.99)]
    }
    var result: [String: [String: [String: Double]]] = ["24h": [:], "7d": [:],
                                                       "windows": ["24h": ["start": dayStart, "end": now + 1], "7d": ["start": weekStart, "end": now + 1]]]
    for k in 0..<nameCount {
        if !day[k].isEmpty { result["24h"]![traffic.names[k]] = exact(day[k]) }
        if !week[k].isEmpty { result["7d"]![traffic.names[k]] = exact(week[k]) }
    }
    if !lcpDay.isEmpty { result["lcp_24h"] = ["all": exact(lcpDay)] }
    return result
}
try JSONSerialization.data(withJSONObject: expected, options: [.sortedKeys]).write(to: URL(fileURLWithPath: arguments[2]))
