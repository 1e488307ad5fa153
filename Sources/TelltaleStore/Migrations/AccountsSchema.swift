/// Organizations, users, memberships, projects, client keys and API tokens.
/// Timestamps are milliseconds since 1970 in 64-bit integers on both databases.
enum AccountsSchema {
    static func statements(_ f: SQLFlavor) -> [String] {
        [
            """
            CREATE TABLE organizations (
                id \(f.identityPrimaryKey),
                slug TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                rate_limit_per_minute \(f.bigint),
                created_at \(f.bigint) NOT NULL
            )
            """,
            """
            CREATE TABLE users (
                id \(f.identityPrimaryKey),
                email TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                password_hash TEXT NOT NULL,
                is_system_admin \(f.boolean) NOT NULL DEFAULT \(f.falseLiteral),
                created_at \(f.bigint) NOT NULL
            )
            """,
            """
            CREATE TABLE memberships (
                organization_id \(f.bigint) NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                user_id \(f.bigint) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
                created_at \(f.bigint) NOT NULL,
                PRIMARY KEY (organization_id, user_id)
            )
            """,
            "CREATE INDEX memberships_user ON memberships (user_id)",
            """
            CREATE TABLE projects (
                id \(f.identityPrimaryKey),
                organization_id \(f.bigint) NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                slug TEXT NOT NULL,
                name TEXT NOT NULL,
                platform TEXT NOT NULL,
                created_at \(f.bigint) NOT NULL,
                UNIQUE (organization_id, slug)
            )
            """,
            """
            CREATE TABLE client_keys (
                id \(f.identityPrimaryKey),
                project_id \(f.bigint) NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
                label TEXT NOT NULL,
                public_key TEXT NOT NULL UNIQUE,
                secret_key TEXT NOT NULL,
                is_active \(f.boolean) NOT NULL,
                rate_limit_per_minute \(f.bigint),
                created_at \(f.bigint) NOT NULL
            )
            """,
            "CREATE INDEX client_keys_project ON client_keys (project_id)",
            """
            CREATE TABLE api_tokens (
                id \(f.identityPrimaryKey),
                user_id \(f.bigint) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                secret_digest TEXT NOT NULL UNIQUE,
                prefix TEXT NOT NULL,
                scopes TEXT NOT NULL,
                created_at \(f.bigint) NOT NULL,
                revoked_at \(f.bigint)
            )
            """,
            "CREATE INDEX api_tokens_user ON api_tokens (user_id)",
        ]
    }
}
