/// The audit log: one row per administrative action, appended and never updated; retention
/// deletes by age. Read per organization or installation-wide, newest first.
enum AuditSchema {
    static let version = 24

    static func statements(_ f: SQLFlavor) -> [String] {
        [
            """
            CREATE TABLE audit_log (
                id \(f.identityPrimaryKey),
                organization_id \(f.bigint),
                at \(f.bigint) NOT NULL,
                actor_user_id \(f.bigint),
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                target_type TEXT NOT NULL,
                target_id TEXT,
                changes TEXT NOT NULL,
                address TEXT,
                user_agent TEXT
            )
            """,
            "CREATE INDEX audit_log_organization ON audit_log (organization_id, id)",
            "CREATE INDEX audit_log_at ON audit_log (at)",
        ]
    }
}
