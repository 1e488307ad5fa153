/// In-app notifications (the dashboard's bell), read per person, and emails to people rather
/// than channels: a queued notification without a channel carries its recipient.
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
        ]
    }
}
