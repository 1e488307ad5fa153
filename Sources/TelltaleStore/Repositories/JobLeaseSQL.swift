public import Foundation
import SQLKit
public import TelltaleCore

/// Job leases in one table, for both databases: a conditional update takes a free or expired
/// lease (or renews one's own), and a first insert creates it; the database decides races.
public struct JobLeaseSQL: JobLeaseRepository {
    let backend: any SQLBackend

    public func acquire(_ job: String, holder: String, now: Date, ttl: TimeInterval) async throws -> Bool {
        let at = now.millisecondsSince1970, until = now.addingTimeInterval(ttl).millisecondsSince1970
        return try await backend.write { db in
            let taken = try await db.raw("""
                UPDATE job_leases SET holder = \(bind: holder), expires_at = \(bind: until)
                WHERE name = \(bind: job) AND (holder = \(bind: holder) OR expires_at < \(bind: at)) RETURNING name
                """).all()
            if !taken.isEmpty { return true }
            let inserted = try await db.raw("""
                INSERT INTO job_leases (name, holder, expires_at) VALUES (\(bind: job), \(bind: holder), \(bind: until))
                ON CONFLICT (name) DO NOTHING RETURNING name
                """).all()
            return !inserted.isEmpty
        }
    }

    public func release(holder: String) async throws {
        try await backend.write { db in
            try await db.raw("UPDATE job_leases SET expires_at = 0 WHERE holder = \(bind: holder)").run()
        }
    }
}
