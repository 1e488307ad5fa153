/// Invitations to organizations (only the digest of a link's secret is stored) and failed
/// sign-ins, so the sign-in throttle holds across restarts and nodes.
enum AccessSchema {
    static func statements(_ f: SQLFlavor) -> [String] {
        [
            """
            CREATE TABLE invitations (
                id \(f.identityPrimaryKey),
                organization_id \(f.bigint) NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                email TEXT NOT NULL,
                role TEXT NOT NULL,
                invited_by \(f.bigint) REFERENCES users(id) ON DELETE SET NULL,
                digest TEXT NOT NULL UNIQUE,
                created_at \(f.bigint) NOT NULL,
                expires_at \(f.bigint) NOT NULL,
                accepted_at \(f.bigint)
            )
            """,
            "CREATE INDEX invitations_organization ON invitations (organization_id, email)",
            """
            CREATE TABLE login_failures (
                throttle_key TEXT NOT NULL,
                failed_at \(f.bigint) NOT NULL
            )
            """,
            "CREATE INDEX login_failures_key ON login_failures (throttle_key, failed_at)",
            "CREATE INDEX login_failures_time ON login_failures (failed_at)",
        ]
    }
}
