/// Events, issues and everything else the ingest path stores. Payloads are deflate-compressed
/// JSON; the columns are what lists and searches need.
enum IngestSchema {
    static func statements(_ f: SQLFlavor) -> [String] {
        [
            "CREATE TABLE instance_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            "ALTER TABLE projects ADD COLUMN settings TEXT NOT NULL DEFAULT '{}'",
            "ALTER TABLE projects ADD COLUMN issue_counter \(f.bigint) NOT NULL DEFAULT 0",
            """
            CREATE TABLE issues (
                id \(f.identityPrimaryKey),
                project_id \(f.bigint) NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
                short_number \(f.bigint) NOT NULL,
                primary_hash TEXT NOT NULL,
                grouping_version TEXT NOT NULL,
                grouping_strategy TEXT NOT NULL,
                grouping_components TEXT NOT NULL,
                type TEXT NOT NULL,
                title TEXT NOT NULL,
                culprit TEXT NOT NULL,
                level TEXT NOT NULL,
                status TEXT NOT NULL DEFAULT 'new',
                first_seen \(f.bigint) NOT NULL,
                last_seen \(f.bigint) NOT NULL,
                times_seen \(f.bigint) NOT NULL DEFAULT 0,
                user_count \(f.bigint) NOT NULL DEFAULT 0,
                first_release TEXT,
                last_release TEXT,
                UNIQUE (project_id, short_number)
            )
            """,
            "CREATE INDEX issues_project_last_seen ON issues (project_id, last_seen)",
            """
            CREATE TABLE issue_hashes (
                project_id \(f.bigint) NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
                hash TEXT NOT NULL,
                issue_id \(f.bigint) NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
                PRIMARY KEY (project_id, hash)
            )
            """,
            "CREATE INDEX issue_hashes_issue ON issue_hashes (issue_id)",
            """
            CREATE TABLE issue_users (
                issue_id \(f.bigint) NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
                user_key TEXT NOT NULL,
                PRIMARY KEY (issue_id, user_key)
            )
            """,
            """
            CREATE TABLE events (
                id \(f.identityPrimaryKey),
                project_id \(f.bigint) NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
                event_id TEXT NOT NULL,
                issue_id \(f.bigint) REFERENCES issues(id) ON DELETE CASCADE,
                type TEXT NOT NULL,
                level TEXT NOT NULL,
                title TEXT NOT NULL,
                culprit TEXT NOT NULL,
                message TEXT,
                platform TEXT NOT NULL,
                release TEXT,
                environment TEXT,
                transaction_name TEXT,
                trace_id TEXT,
                user_key TEXT,
                handled \(f.boolean),
                tags TEXT NOT NULL,
                grouping_hash TEXT NOT NULL,
                timestamp \(f.bigint) NOT NULL,
                received_at \(f.bigint) NOT NULL,
                payload \(f.blob) NOT NULL,
                UNIQUE (project_id, event_id)
            )
            """,
            "CREATE INDEX events_issue_timestamp ON events (issue_id, timestamp)",
            "CREATE INDEX events_project_received ON events (project_id, received_at)",
            // No trace_id index yet: a random-key index costs ~5% of ingest throughput (A/B
            // measured); the trace views will add the index they need in their own migration.
            """
            CREATE TABLE transactions (
                id \(f.identityPrimaryKey),
                project_id \(f.bigint) NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
                event_id TEXT NOT NULL,
                trace_id TEXT,
                name TEXT NOT NULL,
                op TEXT,
                status TEXT,
                start_timestamp \(f.bigint) NOT NULL,
                timestamp \(f.bigint) NOT NULL,
                duration_ms DOUBLE PRECISION NOT NULL,
                release TEXT,
                environment TEXT,
                payload \(f.blob) NOT NULL,
                UNIQUE (project_id, event_id)
            )
            """,
            "CREATE INDEX transactions_project_name ON transactions (project_id, name, timestamp)",
            """
            CREATE TABLE sessions (
                id \(f.identityPrimaryKey),
                project_id \(f.bigint) NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
                kind TEXT NOT NULL,
                session_id TEXT,
                distinct_id TEXT,
                status TEXT NOT NULL,
                errors \(f.bigint) NOT NULL,
                is_init \(f.boolean) NOT NULL,
                started \(f.bigint) NOT NULL,
                duration DOUBLE PRECISION,
                release TEXT NOT NULL,
                environment TEXT,
                exited \(f.bigint) NOT NULL,
                errored \(f.bigint) NOT NULL,
                abnormal \(f.bigint) NOT NULL,
                crashed \(f.bigint) NOT NULL
            )
            """,
            "CREATE INDEX sessions_project_release ON sessions (project_id, release, started)",
            """
            CREATE TABLE check_ins (
                id \(f.identityPrimaryKey),
                project_id \(f.bigint) NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
                check_in_id TEXT NOT NULL,
                monitor_slug TEXT NOT NULL,
                status TEXT NOT NULL,
                duration DOUBLE PRECISION,
                environment TEXT,
                timestamp \(f.bigint) NOT NULL,
                payload \(f.blob) NOT NULL
            )
            """,
            "CREATE INDEX check_ins_monitor ON check_ins (project_id, monitor_slug, timestamp)",
            """
            CREATE TABLE user_reports (
                id \(f.identityPrimaryKey),
                project_id \(f.bigint) NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
                event_id TEXT,
                name TEXT,
                email TEXT,
                comments TEXT NOT NULL,
                source TEXT NOT NULL,
                timestamp \(f.bigint) NOT NULL
            )
            """,
            "CREATE INDEX user_reports_event ON user_reports (project_id, event_id)",
            """
            CREATE TABLE attachments (
                id \(f.identityPrimaryKey),
                project_id \(f.bigint) NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
                event_id TEXT NOT NULL,
                filename TEXT NOT NULL,
                content_type TEXT NOT NULL,
                attachment_type TEXT NOT NULL,
                size \(f.bigint) NOT NULL,
                data \(f.blob) NOT NULL,
                timestamp \(f.bigint) NOT NULL
            )
            """,
            "CREATE INDEX attachments_event ON attachments (project_id, event_id)",
            """
            CREATE TABLE outcomes (
                id \(f.identityPrimaryKey),
                project_id \(f.bigint) NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
                timestamp \(f.bigint) NOT NULL,
                outcome TEXT NOT NULL,
                category TEXT NOT NULL,
                reason TEXT NOT NULL,
                quantity \(f.bigint) NOT NULL
            )
            """,
            "CREATE INDEX outcomes_project_time ON outcomes (project_id, timestamp)",
        ]
    }
}
