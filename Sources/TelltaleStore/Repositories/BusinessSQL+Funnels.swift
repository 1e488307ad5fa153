public import Foundation
import SQLKit
public import TelltaleCore

/// Funnels: their definitions, the users' progress kept as events are written, and the daily
/// figures a funnel's report reads (never the events themselves).
extension BusinessSQL {
    static let funnelTable = "funnels"

    public func funnels(organizationID: OrganizationID) async throws -> [Funnel] {
        try await DefinitionTable(backend: backend, table: Self.funnelTable).rows("organization_id", organizationID.rawValue).map(Self.funnel)
    }

    public func funnel(id: FunnelID) async throws -> Funnel? {
        try await DefinitionTable(backend: backend, table: Self.funnelTable).rows("id", id.rawValue).first.map(Self.funnel)
    }

    static func funnel(_ row: (Int64, Int64, String)) throws -> Funnel {
        Funnel(id: FunnelID(row.0), organizationID: OrganizationID(row.1), draft: try AlertCoding.decode(FunnelDraft.self, row.2))
    }

    public func createFunnel(organizationID: OrganizationID, _ draft: FunnelDraft, now: Date) async throws -> Funnel {
        try await backend.mapConflict("'\(draft.name)' is already a funnel") {
            let definition = AlertCoding.json(draft)
            let id = try await DefinitionTable(backend: backend, table: Self.funnelTable).insert(organizationID, draft.name, definition, now)
            return Funnel(id: FunnelID(id), organizationID: organizationID, draft: draft)
        }
    }

    /// Changing the steps, window or segments starts the figures afresh: counts kept under
    /// the old definition would not mean the same thing.
    public func updateFunnel(_ id: FunnelID, _ draft: FunnelDraft, now: Date) async throws -> Funnel? {
        try await backend.mapConflict("'\(draft.name)' is already a funnel") {
            try await backend.write { db in
                guard let current = try await DefinitionTable.rows(Self.funnelTable, "id", id.rawValue, db: db).first.map(Self.funnel) else { return nil }
                try await db.update(Self.funnelTable).set("name", to: SQLBind(draft.name)).set("definition", to: SQLBind(AlertCoding.json(draft)))
                    .set("updated_at", to: SQLBind(now.millisecondsSince1970)).where("id", .equal, SQLBind(id.rawValue)).run()
                var renamed = current.draft
                renamed.name = draft.name
                if renamed != draft {
                    for table in ["funnel_progress", "funnel_daily"] {
                        try await db.delete(from: table).where("funnel_id", .equal, SQLBind(id.rawValue)).run()
                    }
                }
                return Funnel(id: id, organizationID: current.organizationID, draft: draft)
            }
        }
    }

    public func deleteFunnel(_ id: FunnelID) async throws -> Bool {
        try await DefinitionTable(backend: backend, table: Self.funnelTable).delete(id.rawValue)
    }

    public func funnelSteps(_ id: FunnelID, segment: String?, from: Int64, to: Int64) async throws -> [FunnelStepCount] {
        try await backend.read { db in
            try await db.raw("""
                SELECT value, step, n, times FROM funnel_daily
                WHERE funnel_id = \(bind: id.rawValue) AND segment = \(bind: segment ?? "") AND day >= \(bind: from / 86_400_000 * 86_400_000) AND day < \(bind: to)
                """).all().map { row in
                var times = DDSketch()
                _ = times.merge(encoded: try row.decode(column: "times", as: Data.self))
                return FunnelStepCount(value: try row.decode(column: "value", as: String.self), step: try row.decode(column: "step", as: Int.self),
                                       users: try row.decode(column: "n", as: Int64.self), times: times)
            }
        }
    }

    /// An event as the funnels see it: who (the hashed user, else the session) and what.
    struct FunnelEvent {
        var identity: String
        var name: String
        var properties: [String: String]
        var timestamp: Int64
    }

    /// Moves the users of `events` through `funnels`, inside the writing transaction: the
    /// progress rows are locked (PostgreSQL) before they are read, so two writers never
    /// advance the same attempt from the same state.
    static func track(_ funnels: [Funnel], _ events: [FunnelEvent], forUpdate: String, db: any SQLDatabase) async throws {
        let ordered = events.sorted { $0.timestamp < $1.timestamp }
        var tallies: [FunnelRollupKey: (n: Int64, times: DDSketch)] = [:]
        for funnel in funnels {
            let names = Set(funnel.draft.steps.map(\.event))
            let relevant = ordered.filter { names.contains($0.name) }
            guard !relevant.isEmpty else { continue }
            let fid = funnel.id.rawValue
            // A row for every user who may start, so that the lock below covers new attempts too.
            let starters = Set(relevant.filter { funnel.draft.steps[0].matches(name: $0.name, properties: $0.properties) }.map(\.identity))
            for chunk in Array(starters).chunks(of: 300) {
                let rows = chunk.map { user -> SQLQueryString in "(\(bind: fid), \(bind: user), 0, -1, 0, '{}')" }
                try await db.raw("""
                    INSERT INTO funnel_progress (funnel_id, user_hash, started_at, reached, last_at, segments) VALUES \(rows.joined(separator: ", "))
                    ON CONFLICT (funnel_id, user_hash) DO NOTHING
                    """).run()
            }
            var progress: [String: FunnelProgress] = [:]
            for chunk in Array(Set(relevant.map(\.identity))).chunks(of: 300) {
                for row in try await db.raw("""
                    SELECT user_hash, started_at, reached, last_at, segments FROM funnel_progress
                    WHERE funnel_id = \(bind: fid) AND user_hash IN \(group: Array(chunk))\(unsafeRaw: forUpdate)
                    """).all() {
                    let reached = try row.decode(column: "reached", as: Int.self)
                    guard reached >= 0 else { continue }
                    progress[try row.decode(column: "user_hash", as: String.self)] = FunnelProgress(
                        startedAt: try row.decode(column: "started_at", as: Int64.self), reached: reached, lastAt: try row.decode(column: "last_at", as: Int64.self),
                        segments: (try? AlertCoding.decode([String: String].self, try row.decode(column: "segments", as: String.self))) ?? [:])
                }
            }
            var changed: Set<String> = []
            for event in relevant {
                guard let (next, tally) = FunnelTracker.advance(funnel.draft, progress: progress[event.identity], name: event.name,
                                                                properties: event.properties, timestamp: event.timestamp) else { continue }
                progress[event.identity] = next
                changed.insert(event.identity)
                let segments = [("", "")] + funnel.draft.segments.map { ($0, tally.segments[$0] ?? FunnelTracker.noValue) }
                for (segment, value) in segments {
                    let key = FunnelRollupKey(funnel: fid, segment: segment, day: tally.day, value: value, step: tally.step)
                    var entry = tallies[key] ?? (0, DDSketch())
                    entry.n += 1
                    if let seconds = tally.secondsFromPrevious { entry.times.add(seconds) }
                    tallies[key] = entry
                }
            }
            for chunk in Array(changed).chunks(of: 200) {
                let rows = chunk.map { user -> SQLQueryString in
                    let p = progress[user]!
                    return "(\(bind: fid), \(bind: user), \(bind: p.startedAt), \(bind: p.reached), \(bind: p.lastAt), \(bind: AlertCoding.json(p.segments)))"
                }
                try await db.raw("""
                    INSERT INTO funnel_progress (funnel_id, user_hash, started_at, reached, last_at, segments) VALUES \(rows.joined(separator: ", "))
                    ON CONFLICT (funnel_id, user_hash) DO UPDATE SET started_at = excluded.started_at, reached = excluded.reached,
                    last_at = excluded.last_at, segments = excluded.segments
                    """).run()
            }
        }
        for (key, entry) in tallies {
            let match: SQLQueryString = """
                funnel_id = \(bind: key.funnel) AND segment = \(bind: key.segment) AND day = \(bind: key.day) AND value = \(bind: key.value) AND step = \(bind: key.step)
                """
            try await db.raw("""
                INSERT INTO funnel_daily (funnel_id, segment, day, value, step, n, times)
                VALUES (\(bind: key.funnel), \(bind: key.segment), \(bind: key.day), \(bind: key.value), \(bind: key.step), 0, \(bind: Data()))
                ON CONFLICT (funnel_id, segment, day, value, step) DO NOTHING
                """).run()
            var times = entry.times
            if let current = try await db.raw("SELECT times FROM funnel_daily WHERE \(match)\(unsafeRaw: forUpdate)").first(decodingColumn: "times", as: Data.self), !current.isEmpty {
                _ = times.merge(encoded: current)
            }
            try await db.raw("UPDATE funnel_daily SET n = n + \(bind: entry.n), times = \(bind: Data(times.encoded())) WHERE \(match)").run()
        }
    }
}

struct FunnelRollupKey: Hashable {
    var funnel: Int64
    var segment: String
    var day: Int64
    var value: String
    var step: Int
}
