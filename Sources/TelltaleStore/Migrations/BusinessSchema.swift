/// Business insight: an organization's workflows (JSON definitions, like runbooks), its
/// business settings, and the revenue that error events sent with them (`revenue_impact`),
/// per issue and five minutes like `issue_counts`; events without it are valued by their
/// workflow when read.
enum BusinessSchema {
    static func statements(_ f: SQLFlavor) -> [String] {
        [
            definitions("workflows", f),
            """
            CREATE TABLE business_settings (
                organization_id \(f.bigint) PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
                settings TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE issue_revenue (
                issue_id \(f.bigint) NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
                bucket \(f.bigint) NOT NULL,
                project_id \(f.bigint) NOT NULL,
                events \(f.bigint) NOT NULL,
                amount \(f.double) NOT NULL,
                PRIMARY KEY (issue_id, bucket)
            )\(f.clusteredByPrimaryKey)
            """,
            "CREATE INDEX issue_revenue_project_bucket ON issue_revenue (project_id, bucket)",
        ]
    }

    /// Business events as sent (idempotent by their optional id), and what the metrics read:
    /// per project, UTC day and event name (and `*` for any event) the count, the value and the
    /// users as a mergeable sketch; per ISO week and user the events, for the churn signal.
    static func events(_ f: SQLFlavor) -> [String] {
        [
            """
            CREATE TABLE business_events (
                id \(f.identityPrimaryKey),
                project_id \(f.bigint) NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
                event_key TEXT,
                name TEXT NOT NULL,
                user_hash TEXT,
                session_id TEXT,
                properties TEXT NOT NULL,
                value \(f.double),
                timestamp \(f.bigint) NOT NULL,
                received_at \(f.bigint) NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX business_events_key ON business_events (project_id, event_key)",
            "CREATE INDEX business_events_project_time ON business_events (project_id, timestamp)",
            """
            CREATE TABLE business_daily (
                project_id \(f.bigint) NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
                day \(f.bigint) NOT NULL,
                name TEXT NOT NULL,
                n \(f.bigint) NOT NULL,
                value_sum \(f.double) NOT NULL,
                users \(f.blob) NOT NULL,
                PRIMARY KEY (project_id, day, name)
            )\(f.clusteredByPrimaryKey)
            """,
            """
            CREATE TABLE business_user_weeks (
                project_id \(f.bigint) NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
                week \(f.bigint) NOT NULL,
                user_hash TEXT NOT NULL,
                n \(f.bigint) NOT NULL,
                PRIMARY KEY (project_id, week, user_hash)
            )\(f.clusteredByPrimaryKey)
            """,
        ]
    }
    /// Funnels (named JSON definitions), where each user stands in each funnel (one row per
    /// funnel and user, the attempt that runs), and per funnel, segment value, UTC day the
    /// attempt started and step: the attempts that reached it and their times from the step
    /// before as a mergeable sketch. Segment '' holds everyone.
    static func funnels(_ f: SQLFlavor) -> [String] {
        [
            definitions("funnels", f),
            """
            CREATE TABLE funnel_progress (
                funnel_id \(f.bigint) NOT NULL REFERENCES funnels(id) ON DELETE CASCADE,
                user_hash TEXT NOT NULL,
                started_at \(f.bigint) NOT NULL,
                reached INTEGER NOT NULL,
                last_at \(f.bigint) NOT NULL,
                segments TEXT NOT NULL,
                PRIMARY KEY (funnel_id, user_hash)
            )\(f.clusteredByPrimaryKey)
            """,
            """
            CREATE TABLE funnel_daily (
                funnel_id \(f.bigint) NOT NULL REFERENCES funnels(id) ON DELETE CASCADE,
                segment TEXT NOT NULL,
                day \(f.bigint) NOT NULL,
                value TEXT NOT NULL,
                step INTEGER NOT NULL,
                n \(f.bigint) NOT NULL,
                times \(f.blob) NOT NULL,
                PRIMARY KEY (funnel_id, segment, day, value, step)
            )\(f.clusteredByPrimaryKey)
            """,
        ]
    }
    /// Failed operations among a day's events of a name, for workflows matched by events.
    static func eventFailures(_ f: SQLFlavor) -> [String] {
        ["ALTER TABLE business_daily ADD COLUMN failures \(f.bigint) NOT NULL DEFAULT 0"]
    }

    /// A table of an organization's named JSON definitions (what `DefinitionTable` reads).
    static func definitions(_ table: String, _ f: SQLFlavor) -> String {
        """
        CREATE TABLE \(table) (
            id \(f.identityPrimaryKey),
            organization_id \(f.bigint) NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            definition TEXT NOT NULL,
            created_at \(f.bigint) NOT NULL,
            updated_at \(f.bigint) NOT NULL,
            UNIQUE (organization_id, name)
        )
        """
    }
}
