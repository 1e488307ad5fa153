import Foundation
import SentryProtocol
import TelltaleCore
import TelltaleIngest

// Ingest pipeline microbenchmark: the per-event CPU work between the HTTP body and the write
// queue, stage by stage, on the recorded SDK events. In-process and single-threaded, so its
// figures move only with the code (the HTTP benchmark's also move with the host's load).
//   swift run -c release telltale-pipeline-bench [rounds]   (TELLTALE_FIXTURES overrides the fixture folder,
//   TELLTALE_FIXTURE_NAMES the fixtures)

let folder = ProcessInfo.processInfo.environment["TELLTALE_FIXTURES"] ?? "../shared/fixtures/sentry-python"
// TELLTALE_FIXTURE_NAMES picks fixtures, comma-separated, as in scripts/bench-ingest.sh.
let names = ProcessInfo.processInfo.environment["TELLTALE_FIXTURE_NAMES"].map { $0.split(separator: ",").map(String.init) }
    ?? ["exception_chained", "rich_context.1", "message", "logging_message", "unhandled_crash.1", "exception_group", "message_stacktrace"]
let rounds = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 3000

var bodies: [[UInt8]] = []
for name in names {
    guard let data = FileManager.default.contents(atPath: "\(folder)/\(name).body") else {
        print("fixture \(folder)/\(name).body not found; run from the repository beside shared/ or set TELLTALE_FIXTURES")
        exit(1)
    }
    bodies.append(Array(data))
}

let context = EventContext(envelopeEventID: nil, receivedAt: Date().timeIntervalSince1970, clientIP: "127.0.0.1")
let project = Project(id: ProjectID(1), organizationID: OrganizationID(1), slug: try Slug("bench"), name: "bench", platform: "python", createdAt: Date())
let processor = ItemProcessor(project: project, settings: IngestSettings(), context: context, allowNonFinite: true, hashSecret: "bench")
let scrubber = Scrubber(policy: ScrubbingPolicy()) { $0 }
let grouping = Grouping(digest: ItemProcessor.digest)
let stages = ["envelope", "parse", "normalize", "scrub", "summarize", "group", "serialize", "compress"]

/// Wall time per stage, summed over all events.
struct Timings {
    var total: [String: Duration] = [:]
    let clock = ContinuousClock()

    mutating func time<T>(_ stage: String, _ body: () throws -> T) rethrows -> T {
        let start = clock.now
        let result = try body()
        total[stage, default: .zero] += start.duration(to: clock.now)
        return result
    }
}

/// `name` padded to a column, then the figure.
func line(_ name: String, _ us: Double, _ note: String = "") -> String {
    name.padding(toLength: 10, withPad: " ", startingAt: 0) + String(format: "%7.2f", us) + note
}

func microseconds(_ duration: Duration, per count: Int) -> Double {
    (Double(duration.components.seconds) * 1e6 + Double(duration.components.attoseconds) / 1e12) / Double(count)
}

var timings = Timings()
var stored = 0
for _ in 0..<rounds {
    for body in bodies {
        let payload = try timings.time("envelope") { try Envelope.parse(body).items[0].payload }
        let value = try timings.time("parse") { try JSONParser.parse(payload, allowNonFinite: true) }
        let normalized = try timings.time("normalize") { try EventNormalizer.normalize(value, context: context) }
        let scrubbed = timings.time("scrub") { scrubber.scrub(normalized) }
        let summary = timings.time("summarize") { EventNormalizer.summarize(scrubbed) }
        let group = timings.time("group") { grouping.group(scrubbed) }
        let json = timings.time("serialize") { scrubbed.serialized() }
        let compressed = timings.time("compress") { PayloadCompression.compress(json) }
        stored += compressed.count + summary.title.count + group.hashes.count
    }
}
let events = rounds * bodies.count
print("\(events) events (\(bodies.count) recorded SDK events x \(rounds)), microseconds per event:")
var sum = 0.0
for stage in stages {
    let us = microseconds(timings.total[stage]!, per: events)
    sum += us
    print("  " + line(stage, us))
}
print("  " + line("all stages", sum))

// The same work as the server does it (one call per item), for a check on the sum above.
let clock = ContinuousClock()
let payloads = try bodies.map { try Envelope.parse($0).items[0].payload }
let start = clock.now
for _ in 0..<rounds {
    for payload in payloads { if case .event(let record) = processor.event(payload) { stored += record.payload.count } }
}
print("  " + line("one call", microseconds(start.duration(to: clock.now), per: events), "  (ItemProcessor.event: every stage but the envelope)"))
print("(checksum \(stored))")
