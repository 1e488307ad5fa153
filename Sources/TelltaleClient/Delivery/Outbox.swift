import Foundation
import SentryProtocol
import Synchronization

/// An envelope waiting to be sent: its bytes and the data category it counts under.
struct PendingEnvelope: Sendable {
    var id: String
    var category: String
    var bytes: [UInt8]
}

/// Items dropped before reaching the server, by reason and category, reported back to it as
/// client reports (`client_report` items) with the next envelope that goes out.
final class DropCounter: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    func add(reason: String, category: String, quantity: Int = 1) {
        counts.withLock { $0["\(reason)\u{1}\(category)", default: 0] += quantity }
    }

    /// The counts so far, emptied; nil when nothing was dropped.
    func take(now: Date) -> JSONObject? {
        let taken = counts.withLock { counts -> [String: Int] in
            defer { counts.removeAll() }
            return counts
        }
        guard !taken.isEmpty else { return nil }
        let discarded = taken.sorted { $0.key < $1.key }.map { key, quantity -> JSONValue in
            let parts = key.split(separator: "\u{1}", omittingEmptySubsequences: false).map(String.init)
            return .object(["reason": .string(parts[0]), "category": .string(parts[1]), "quantity": .int(Int64(quantity))])
        }
        return ["timestamp": .double(now.timeIntervalSince1970), "discarded_events": .array(discarded)]
    }

    /// Puts counts back (their report could not be sent).
    func restore(_ report: JSONObject) {
        for entry in report["discarded_events"]?.arrayValue ?? [] {
            guard let reason = entry["reason"]?.stringValue, let category = entry["category"]?.stringValue, let n = entry["quantity"]?.doubleValue else { continue }
            add(reason: reason, category: category, quantity: Int(n))
        }
    }
}

/// Envelopes kept on disk until the server has them, so a crash loses at most what was still
/// being handed over; the next start sends them first. One file per envelope.
struct Spool: Sendable {
    let directory: URL

    init(directory: URL) throws {
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func file(_ id: String) -> URL { directory.appendingPathComponent("\(id).envelope") }

    func write(_ pending: PendingEnvelope) {
        try? Data(pending.bytes).write(to: file(pending.id), options: .atomic)
    }

    func remove(_ id: String) {
        try? FileManager.default.removeItem(at: file(id))
    }

    /// What an earlier run left, oldest first.
    func leftovers() -> [PendingEnvelope] {
        let files = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: [.contentModificationDateKey])) ?? []
        return files.filter { $0.pathExtension == "envelope" }.compactMap { url -> (Date, PendingEnvelope)? in
            guard let data = try? Data(contentsOf: url) else { return nil }
            let bytes = Array(data)
            let category = (try? Envelope.parse(bytes))?.items.first.map { DataCategory.of(itemType: $0.type) } ?? "error"
            let date = (try? url.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast
            return (date, PendingEnvelope(id: url.deletingPathExtension().lastPathComponent, category: category, bytes: bytes))
        }.sorted { $0.0 < $1.0 }.map(\.1)
    }
}
