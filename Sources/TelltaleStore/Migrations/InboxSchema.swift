/// In-app notifications (the dashboard's bell), read per person; emails to people rather
/// than channels (a queued notification without a channel carries its recipient); and each
/// rule's grouping timers (alerts waiting in a group are `alerts` rows with status `pending`).
enum InboxSchema {
    static func statements(_ f: SQLFlavor) -> [String] {
        [
            "ALTER TABLE notifications ADD COLUMN recipient TEXT",
            """
            CREATE TABLE inbox_notifications (
                id \(f.identityPrimaryKey),
                organization_id \(f.bigint) NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                user_id \(f.bigint) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                title TEXT NOT NULL,
                severity TEXT NOT NULL,
                message TEXT NOT NULL,
                created_at \(f.bigint) NOT NULL,
                read_at \(f.bigint)
            )
            """,
            "CREATE INDEX inbox_notifications_user ON inbox_notifications (user_id, id)",
            "CREATE INDEX inbox_notifications_unread ON inbox_notifications (user_id, read_at)",
            "CREATE INDEX inbox_notifications_created ON inbox_notifications (created_at)",
            """
            CREATE TABLE alert_groups (
                rule_id \(f.bigint) PRIMARY KEY REFERENCES alert_rules(id) ON DELETE CASCADE,
                last_sent_at \(f.bigint),
                pending_since \(f.bigint),
                flush_at \(f.bigint)
            )
            """,
            "CREATE INDEX alert_groups_due ON alert_groups (flush_at)",
            "CREATE INDEX alerts_pending ON alerts (rule_id, status)",
        ]
    }
}
