/// Triage state on issues (status details, assignment, merges), the activity timeline, and
/// per-issue tag counts that search, tag distributions and "environments seen" read.
enum IssueWorkflowSchema {
    static func statements(_ f: SQLFlavor) -> [String] {
        [
            "ALTER TABLE issues ADD COLUMN assigned_to \(f.bigint) REFERENCES users(id) ON DELETE SET NULL",
            "ALTER TABLE issues ADD COLUMN resolved_at \(f.bigint)",
            "ALTER TABLE issues ADD COLUMN resolved_by \(f.bigint) REFERENCES users(id) ON DELETE SET NULL",
            "ALTER TABLE issues ADD COLUMN resolution_note TEXT",
            // Ignore conditions: until a time, or until N more events / users counted from the
            // totals when the issue was ignored.
            "ALTER TABLE issues ADD COLUMN ignore_until \(f.bigint)",
            "ALTER TABLE issues ADD COLUMN ignore_events \(f.bigint)",
            "ALTER TABLE issues ADD COLUMN ignore_users \(f.bigint)",
            "ALTER TABLE issues ADD COLUMN ignore_baseline_events \(f.bigint)",
            "ALTER TABLE issues ADD COLUMN ignore_baseline_users \(f.bigint)",
            "ALTER TABLE issues ADD COLUMN regressed_at \(f.bigint)",
            // A merged issue stays as a pointer, so links to it still lead somewhere.
            "ALTER TABLE issues ADD COLUMN merged_into \(f.bigint) REFERENCES issues(id) ON DELETE CASCADE",
            // The business category (native API `category`, later the classifier) for stats.
            "ALTER TABLE events ADD COLUMN category TEXT",
            // Stats read level and category by receive time from the index alone; the index is
            // appended to in time order, so ingest pays about what the old one cost.
            "DROP INDEX events_project_received",
            "CREATE INDEX events_project_received ON events (project_id, received_at, level, category)",
            "CREATE INDEX issues_project_first_seen ON issues (project_id, first_seen)",
            "CREATE INDEX issues_project_times_seen ON issues (project_id, times_seen)",
            "CREATE INDEX issues_project_user_count ON issues (project_id, user_count)",
            "CREATE INDEX issues_assigned ON issues (assigned_to)",
            """
            CREATE TABLE issue_activity (
                id \(f.identityPrimaryKey),
                issue_id \(f.bigint) NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
                kind TEXT NOT NULL,
                user_id \(f.bigint) REFERENCES users(id) ON DELETE SET NULL,
                data TEXT NOT NULL,
                created_at \(f.bigint) NOT NULL
            )
            """,
            "CREATE INDEX issue_activity_issue ON issue_activity (issue_id, id)",
            """
            CREATE TABLE issue_tags (
                issue_id \(f.bigint) NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
                project_id \(f.bigint) NOT NULL,
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                times_seen \(f.bigint) NOT NULL,
                first_seen \(f.bigint) NOT NULL,
                last_seen \(f.bigint) NOT NULL,
                PRIMARY KEY (issue_id, key, value)
            )\(f.clusteredByPrimaryKey)
            """,
            "CREATE INDEX issue_tags_search ON issue_tags (project_id, key, value)",
        ]
    }
}
