import Foundation
import SQLKit

/// The notification queue's shared statements: alert notifications (`forwarder_id` null) and
/// forwarders' batches (set) are claimed the same way, by different nodes in parallel.
enum NotificationQueue {
    enum Kind {
        case notifications, forwards

        var filter: String { self == .notifications ? "forwarder_id IS NULL" : "forwarder_id IS NOT NULL" }
    }

    /// Leases up to `limit` due rows of `kind` to `owner` until `leaseUntil` (rows another node
    /// holds are skipped on PostgreSQL; SQLite's single writer serializes claims), returning `columns`.
    static func claim(_ kind: Kind, now: Date, limit: Int, owner: String, leaseUntil: Date, returning columns: String,
                      in db: any SQLDatabase, flavor: SQLFlavor) async throws -> [any SQLRow] {
        let millis = now.millisecondsSince1970
        return try await db.raw("""
            UPDATE notifications SET lease_owner = \(bind: owner), lease_until = \(bind: leaseUntil.millisecondsSince1970)
            WHERE id IN (
                SELECT id FROM notifications
                WHERE status = 'queued' AND \(unsafeRaw: kind.filter) AND next_attempt_at <= \(bind: millis)
                  AND (lease_until IS NULL OR lease_until < \(bind: millis))
                ORDER BY next_attempt_at LIMIT \(bind: limit)\(unsafeRaw: flavor.forUpdateSkipLocked)
            )
            RETURNING \(unsafeRaw: columns)
            """).all()
    }
}
