public import Foundation
import SQLKit
import SentryProtocol
public import TelltaleCore

/// Business events: stored as sent, and folded in the same transaction into the daily figures
/// (count, value, users) and the weekly events per user.
extension BusinessSQL {
    public func recordEvents(projectID: ProjectID, _ events: [BusinessEvent], funnels: [Funnel], receivedAt: Date) async throws -> Int {
        let forUpdate = backend.flavor.forUpdate
        let funnelNames = Set(funnels.flatMap { $0.draft.steps.map(\.event) })
        return try await backend.write { db in
            var inserted: [(name: String, user: String?, value: Double?, timestamp: Int64, failed: Bool)] = []
            var funnelEvents: [FunnelEvent] = []
            for chunk in events.chunks(of: 200) {
                var values: [SQLQueryString] = []
                for event in chunk {
                    values.append("""
                        (\(bind: projectID.rawValue), \(bind: event.id), \(bind: event.name), \(bind: event.userHash), \(bind: event.sessionID),
                         \(bind: String(decoding: event.properties.serialized(), as: UTF8.self)), \(bind: event.value),
                         \(bind: Int64(event.timestamp * 1000)), \(bind: receivedAt.millisecondsSince1970))
                        """)
                }
                let rows = try await db.raw("""
                    INSERT INTO business_events (project_id, event_key, name, user_hash, session_id, properties, value, timestamp, received_at)
                    VALUES \(values.joined(separator: ", ")) ON CONFLICT (project_id, event_key) DO NOTHING
                    RETURNING name, user_hash, session_id, value, timestamp, properties
                    """).all()
                for row in rows {
                    let name = try row.decode(column: "name", as: String.self), user = try row.decode(column: "user_hash", as: String?.self)
                    let timestamp = try row.decode(column: "timestamp", as: Int64.self)
                    let text = try row.decode(column: "properties", as: String.self)
                    let properties = try? JSONParser.parse(Array(text.utf8))
                    let failed = BusinessEvent(name: name, properties: properties ?? .object([:]), timestamp: 0).failed
                    inserted.append((name, user, try row.decode(column: "value", as: Double?.self), timestamp, failed))
                    // Funnels follow the user, else the session (an anonymous visitor's signup).
                    guard funnelNames.contains(name), let identity = try user ?? row.decode(column: "session_id", as: String?.self).map({ "session:\($0)" }) else { continue }
                    funnelEvents.append(FunnelEvent(identity: identity, name: name, properties: Self.textProperties(properties),
                                                    timestamp: timestamp))
                }
            }
            guard !inserted.isEmpty else { return 0 }
            if !funnelEvents.isEmpty { try await Self.track(funnels, funnelEvents, forUpdate: forUpdate, db: db) }
            struct Key: Hashable { var day: Int64; var name: String }
            var days: [Key: (n: Int64, failures: Int64, value: Double, users: UserSketch)] = [:]
            var weeks: [Key: Int64] = [:]
            for event in inserted {
                let day = event.timestamp / 86_400_000 * 86_400_000
                for name in [event.name, "*"] {
                    var entry = days[Key(day: day, name: name)] ?? (0, 0, 0, UserSketch())
                    entry.n += 1
                    if event.failed { entry.failures += 1 }
                    entry.value += event.value ?? 0
                    if let user = event.user { entry.users.add(UserSketch.hash(user)) }
                    days[Key(day: day, name: name)] = entry
                }
                if let user = event.user { weeks[Key(day: BusinessWeek.start(event.timestamp), name: user), default: 0] += 1 }
            }
            // The users sketches are merged here: the rows are created first, then locked
            // (PostgreSQL), so two writers never merge into the same old sketch.
            for (key, entry) in days {
                try await db.raw("""
                    INSERT INTO business_daily (project_id, day, name, n, value_sum, users) VALUES (\(bind: projectID.rawValue), \(bind: key.day), \(bind: key.name), 0, 0, \(bind: Data()))
                    ON CONFLICT (project_id, day, name) DO NOTHING
                    """).run()
                let current = try await db.raw("""
                    SELECT users FROM business_daily WHERE project_id = \(bind: projectID.rawValue) AND day = \(bind: key.day) AND name = \(bind: key.name)\(unsafeRaw: forUpdate)
                    """).first(decodingColumn: "users", as: Data.self)
                var users = entry.users
                if let current, !current.isEmpty { users.merge(encoded: current) }
                try await db.raw("""
                    UPDATE business_daily SET n = n + \(bind: entry.n), failures = failures + \(bind: entry.failures), value_sum = value_sum + \(bind: entry.value), users = \(bind: Data(users.encoded()))
                    WHERE project_id = \(bind: projectID.rawValue) AND day = \(bind: key.day) AND name = \(bind: key.name)
                    """).run()
            }
            for chunk in Array(weeks).chunks(of: 300) {
                let rows = chunk.map { entry -> SQLQueryString in "(\(bind: projectID.rawValue), \(bind: entry.key.day), \(bind: entry.key.name), \(bind: entry.value))" }
                try await db.raw("""
                    INSERT INTO business_user_weeks (project_id, week, user_hash, n) VALUES \(rows.joined(separator: ", "))
                    ON CONFLICT (project_id, week, user_hash) DO UPDATE SET n = business_user_weeks.n + excluded.n
                    """).run()
            }
            return inserted.count
        }
    }

    public func eventDays(projects: [ProjectID], from: Int64, to: Int64) async throws -> [BusinessEventDay] {
        guard !projects.isEmpty else { return [] }
        return try await backend.read { db in
            try await db.raw("""
                SELECT day, name, n, failures, value_sum, users FROM business_daily
                WHERE project_id IN \(group: projects.map(\.rawValue)) AND day >= \(bind: from / 86_400_000 * 86_400_000) AND day < \(bind: to)
                """).all().map { row in
                var users = UserSketch()
                users.merge(encoded: try row.decode(column: "users", as: Data.self))
                return BusinessEventDay(day: try row.decode(column: "day", as: Int64.self), name: try row.decode(column: "name", as: String.self),
                                        count: try row.decode(column: "n", as: Int64.self), failures: try row.decode(column: "failures", as: Int64.self), value: try row.decode(column: "value_sum", as: Double.self), users: users)
            }
        }
    }

    public func churn(projects: [ProjectID], previous: Int64, latest: Int64, dropPercent: Double) async throws -> ChurnSignal {
        guard !projects.isEmpty else { return ChurnSignal(previousWeekUsers: 0, droppedUsers: 0, dropPercent: dropPercent) }
        let ids = projects.map(\.rawValue)
        // Two numbers out, whatever the number of users: the weeks are summed per user and
        // compared in one pass instead of every user's row being read.
        let row = try await backend.read { db in
            try await db.raw("""
                SELECT COUNT(*) AS users, COALESCE(SUM(CASE WHEN COALESCE(l.n, 0) < p.n * \(bind: 1 - dropPercent / 100) THEN 1 ELSE 0 END), 0) AS dropped
                FROM (SELECT user_hash, SUM(n) AS n FROM business_user_weeks WHERE project_id IN \(group: ids) AND week = \(bind: previous) GROUP BY user_hash) p
                LEFT JOIN (SELECT user_hash, SUM(n) AS n FROM business_user_weeks WHERE project_id IN \(group: ids) AND week = \(bind: latest) GROUP BY user_hash) l
                ON l.user_hash = p.user_hash
                """).first()
        }
        let users = try row?.decode(column: "users", as: Int64.self) ?? 0
        let dropped = try row?.decode(column: "dropped", as: Int64.self) ?? 0
        return ChurnSignal(previousWeekUsers: Int(users), droppedUsers: Int(dropped), dropPercent: dropPercent)
    }

    /// A property bag's top-level scalars as text, which funnel steps and segments compare.
    static func textProperties(_ properties: JSONValue?) -> [String: String] {
        var texts: [String: String] = [:]
        for (key, value) in properties?.objectValue ?? [:] { texts[key] = value.scalarText }
        return texts
    }
}
