/// Dashboard sign-in sessions: only the digest of the cookie's secret is stored.
enum WebSessionsSchema {
    static func statements(_ f: SQLFlavor) -> [String] {
        [
            """
            CREATE TABLE web_sessions (
                digest TEXT PRIMARY KEY,
                user_id \(f.bigint) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                csrf_token TEXT NOT NULL,
                created_at \(f.bigint) NOT NULL,
                expires_at \(f.bigint) NOT NULL
            )
            """,
            "CREATE INDEX web_sessions_user ON web_sessions (user_id)",
            "CREATE INDEX web_sessions_expires ON web_sessions (expires_at)",
        ]
    }
}
