/// Forwarders, and their batches as rows of the notification queue (`forwarder_id` set), so
/// they share its leases, retries and attempt log.
enum ForwardingSchema {
    static func statements(_ f: SQLFlavor) -> [String] {
        [
            """
            CREATE TABLE forwarders (
                id \(f.identityPrimaryKey),
                organization_id \(f.bigint) NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                project_id \(f.bigint) NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                type TEXT NOT NULL,
                config TEXT NOT NULL,
                filters TEXT NOT NULL,
                enabled \(f.boolean) NOT NULL,
                starts_after \(f.bigint) NOT NULL,
                created_at \(f.bigint) NOT NULL
            )
            """,
            "CREATE INDEX forwarders_project ON forwarders (project_id)",
            "ALTER TABLE notifications ADD COLUMN forwarder_id \(f.bigint) REFERENCES forwarders(id) ON DELETE CASCADE",
            "CREATE INDEX notifications_forwarder ON notifications (forwarder_id, id)",
        ]
    }
}
