/// What the analysis detectors read and write: each issue's event counts per five minutes (by
/// event time, kept in step with `events` like `event_counts`), the spikes found in them, the
/// recurring patterns across issues, what the detectors found (for alert rules), and each
/// issue's root-cause analysis. Existing events are counted in.
enum DetectorsSchema {
    static func statements(_ f: SQLFlavor) -> [String] {
        let bucket = IssueCounts.bucket
        return [
            """
            CREATE TABLE issue_counts (
                issue_id \(f.bigint) NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
                bucket \(f.bigint) NOT NULL,
                project_id \(f.bigint) NOT NULL,
                n \(f.bigint) NOT NULL,
                PRIMARY KEY (issue_id, bucket)
            )\(f.clusteredByPrimaryKey)
            """,
            "CREATE INDEX issue_counts_project_bucket ON issue_counts (project_id, bucket)",
            """
            INSERT INTO issue_counts (issue_id, bucket, project_id, n)
            SELECT issue_id, timestamp / \(bucket) * \(bucket), MIN(project_id), COUNT(*) FROM events WHERE issue_id IS NOT NULL
            GROUP BY issue_id, timestamp / \(bucket) * \(bucket)
            """,
            """
            CREATE TABLE spikes (
                id \(f.identityPrimaryKey),
                project_id \(f.bigint) NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
                scope TEXT NOT NULL,
                issue_id \(f.bigint) REFERENCES issues(id) ON DELETE CASCADE,
                started_at \(f.bigint) NOT NULL,
                last_at \(f.bigint) NOT NULL,
                peak \(f.bigint) NOT NULL,
                expected \(f.double) NOT NULL,
                score \(f.double) NOT NULL,
                events \(f.bigint) NOT NULL,
                detected_at \(f.bigint) NOT NULL
            )
            """,
            "CREATE INDEX spikes_project_last ON spikes (project_id, last_at)",
            "CREATE INDEX spikes_issue ON spikes (issue_id, last_at)",
            "CREATE INDEX spikes_last ON spikes (last_at)",
            """
            CREATE TABLE patterns (
                id \(f.identityPrimaryKey),
                organization_id \(f.bigint) NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                kind TEXT NOT NULL,
                key TEXT NOT NULL,
                label TEXT NOT NULL,
                confidence \(f.double) NOT NULL,
                occurrences \(f.bigint) NOT NULL,
                issue_count \(f.bigint) NOT NULL,
                project_count \(f.bigint) NOT NULL,
                release_count \(f.bigint) NOT NULL,
                affected_users \(f.bigint) NOT NULL,
                impact_score \(f.double) NOT NULL,
                issue_ids TEXT NOT NULL,
                first_seen \(f.bigint) NOT NULL,
                last_seen \(f.bigint) NOT NULL,
                first_detected \(f.bigint) NOT NULL,
                last_detected \(f.bigint) NOT NULL,
                UNIQUE (organization_id, kind, key)
            )
            """,
            """
            CREATE TABLE issue_analyses (
                issue_id \(f.bigint) PRIMARY KEY REFERENCES issues(id) ON DELETE CASCADE,
                provider TEXT NOT NULL,
                model TEXT,
                body TEXT NOT NULL,
                note TEXT,
                created_at \(f.bigint) NOT NULL
            )
            """,
            // What the detectors found, in order: the stream alert rules read (spike_detected,
            // pattern_detected), like events and monitor changes.
            """
            CREATE TABLE detections (
                id \(f.identityPrimaryKey),
                organization_id \(f.bigint) NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                kind TEXT NOT NULL,
                detection_id \(f.bigint) NOT NULL,
                project_id \(f.bigint),
                issue_id \(f.bigint),
                title TEXT NOT NULL,
                detail TEXT NOT NULL,
                at \(f.bigint) NOT NULL
            )
            """,
            "CREATE INDEX detections_at ON detections (at)",
            // Background jobs that one node at a time runs (the detectors first).
            "CREATE TABLE job_leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at \(f.bigint) NOT NULL)",
            // Shared users between issues (the user correlation).
            "CREATE INDEX issue_users_user ON issue_users (user_key)",
        ]
    }
}
