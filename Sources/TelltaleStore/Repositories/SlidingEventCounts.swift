import SQLKit
import Synchronization

/// Event counts in sliding windows, carried from one evaluation round to the next: an issue's
/// events by event time, a project's by arrival. Recounting a window every round reads every
/// event in it (an hour of a busy issue is millions of index entries); carried forward, a round
/// reads only the events that arrived since and those that slid out of the window.
///
/// Counts are recounted in full when a key is new, when the window moved backwards, when more
/// than `maxGap` events arrived since (another node evaluated them), and once a minute, so an
/// issue merge or a retention pass that moved or removed events is corrected within a minute.
final class SlidingEventCounts: Sendable {
    enum Scope: Hashable, Sendable {
        case issue, project

        /// The grouping column and the time column a window is measured on.
        var columns: (id: String, time: String) {
            switch self {
            case .issue: ("issue_id", "timestamp")
            case .project: ("project_id", "received_at")
            }
        }
    }

    struct Key: Hashable, Sendable {
        var scope: Scope
        var id: Int64
        var windowSeconds: Int
    }

    struct Entry: Sendable {
        /// Events with `id <= through` and time `> since`.
        var count: Int
        var through: Int64
        var since: Int64
        /// `at` of the last full count.
        var countedAt: Int64
    }

    static let maxGap: Int64 = 20_000
    static let recountAfterMilliseconds: Int64 = 60_000
    private let entries = Mutex<[Key: Entry]>([:])

    /// The count of each key's events with `id <= lastID` and time in the window ending at `at`.
    func counts(_ keys: Set<Key>, through lastID: Int64, at: Int64, db: any SQLDatabase) async throws -> [Key: Int] {
        let known = entries.withLock { entries in keys.reduce(into: [Key: Entry]()) { $0[$1] = entries[$1] } }
        var result: [Key: Int] = [:]
        var fresh: [Key: Entry] = [:]
        var carried: [(Key, Entry)] = []
        for key in keys {
            let since = at - Int64(key.windowSeconds) * 1000
            if let entry = known[key], entry.through <= lastID, lastID - entry.through <= Self.maxGap, since >= entry.since,
               at - entry.countedAt < Self.recountAfterMilliseconds {
                carried.append((key, entry))
            } else {
                let columns = key.scope.columns
                let count = try await db.raw("""
                    SELECT COUNT(*) AS n FROM events WHERE \(unsafeRaw: columns.id) = \(bind: key.id) AND \(unsafeRaw: columns.time) > \(bind: since) AND id <= \(bind: lastID)
                    """).first(decodingColumn: "n", as: Int.self) ?? 0
                result[key] = count
                fresh[key] = Entry(count: count, through: lastID, since: since, countedAt: at)
            }
        }
        if let oldest = carried.map(\.1.through).min() {
            // The events that arrived since: a range of the primary key, whatever their issue.
            let arrived = try await db.raw("""
                SELECT id, issue_id, project_id, timestamp, received_at FROM events WHERE id > \(bind: oldest) AND id <= \(bind: lastID)
                """).all().map { row in
                (id: try row.decode(column: "id", as: Int64.self), issue: try row.decode(column: "issue_id", as: Int64?.self),
                 project: try row.decode(column: "project_id", as: Int64.self), timestamp: try row.decode(column: "timestamp", as: Int64.self),
                 received: try row.decode(column: "received_at", as: Int64.self))
            }
            for (key, entry) in carried {
                let since = at - Int64(key.windowSeconds) * 1000
                let added = arrived.count { event in
                    guard event.id > entry.through else { return false }
                    switch key.scope {
                    case .issue: return event.issue == key.id && event.timestamp > since
                    case .project: return event.project == key.id && event.received > since
                    }
                }
                var left = 0
                if since > entry.since {
                    let columns = key.scope.columns
                    left = try await db.raw("""
                        SELECT COUNT(*) AS n FROM events WHERE \(unsafeRaw: columns.id) = \(bind: key.id)
                            AND \(unsafeRaw: columns.time) > \(bind: entry.since) AND \(unsafeRaw: columns.time) <= \(bind: since) AND id <= \(bind: entry.through)
                        """).first(decodingColumn: "n", as: Int.self) ?? 0
                }
                let count = max(0, entry.count + added - left)
                result[key] = count
                fresh[key] = Entry(count: count, through: lastID, since: since, countedAt: entry.countedAt)
            }
        }
        entries.withLock { entries in
            for (key, entry) in fresh { entries[key] = entry }
            // Keys not asked for in a minute are dropped: issues come and go.
            if entries.count > 4 * max(keys.count, 256) {
                entries = entries.filter { at - $0.value.countedAt < Self.recountAfterMilliseconds }
            }
        }
        return result
    }
}
