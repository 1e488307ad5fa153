/// Health and uptime: monitors with their flap-protected state and scheduling lease, raw
/// results (kept days), hourly roll-ups (kept months), state changes, downtime periods,
/// pings, status pages with notices, and maintenance windows.
enum MonitorsSchema {
    static func statements(_ f: SQLFlavor) -> [String] {
        [
            """
            CREATE TABLE monitors (
                id \(f.identityPrimaryKey),
                organization_id \(f.bigint) NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                project_id \(f.bigint) REFERENCES projects(id) ON DELETE SET NULL,
                name TEXT NOT NULL,
                component TEXT NOT NULL,
                slug TEXT,
                type TEXT NOT NULL,
                config TEXT NOT NULL,
                interval_seconds INTEGER NOT NULL,
                timeout_seconds INTEGER NOT NULL,
                failure_threshold INTEGER NOT NULL,
                recovery_threshold INTEGER NOT NULL,
                status TEXT NOT NULL,
                consecutive_failures INTEGER NOT NULL DEFAULT 0,
                consecutive_successes INTEGER NOT NULL DEFAULT 0,
                streak_started_at \(f.bigint),
                status_since \(f.bigint) NOT NULL,
                ping_token TEXT UNIQUE,
                next_check_at \(f.bigint),
                lease_owner TEXT,
                lease_until \(f.bigint),
                last_success_at \(f.bigint),
                run_started_at \(f.bigint),
                run_id TEXT,
                last_checked_at \(f.bigint),
                last_response_ms \(f.double),
                last_message TEXT,
                failure_event_id TEXT,
                created_at \(f.bigint) NOT NULL,
                updated_at \(f.bigint) NOT NULL
            )
            """,
            "CREATE INDEX monitors_organization ON monitors (organization_id, name)",
            "CREATE INDEX monitors_due ON monitors (next_check_at)",
            "CREATE UNIQUE INDEX monitors_project_slug ON monitors (project_id, slug)",
            """
            CREATE TABLE monitor_results (
                id \(f.identityPrimaryKey),
                monitor_id \(f.bigint) NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
                checked_at \(f.bigint) NOT NULL,
                verdict TEXT NOT NULL,
                response_ms \(f.double),
                status_code INTEGER,
                message TEXT NOT NULL
            )
            """,
            "CREATE INDEX monitor_results_monitor ON monitor_results (monitor_id, checked_at)",
            "CREATE INDEX monitor_results_time ON monitor_results (checked_at)",
            """
            CREATE TABLE monitor_hourly (
                monitor_id \(f.bigint) NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
                hour \(f.bigint) NOT NULL,
                checks INTEGER NOT NULL,
                failures INTEGER NOT NULL,
                timed INTEGER NOT NULL DEFAULT 0,
                sum_ms \(f.double) NOT NULL DEFAULT 0,
                max_ms \(f.double),
                p50_ms \(f.double),
                p95_ms \(f.double),
                p99_ms \(f.double),
                PRIMARY KEY (monitor_id, hour)
            )
            """,
            """
            CREATE TABLE monitor_events (
                id \(f.identityPrimaryKey),
                monitor_id \(f.bigint) NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
                organization_id \(f.bigint) NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                from_status TEXT NOT NULL,
                to_status TEXT NOT NULL,
                effective_at \(f.bigint) NOT NULL,
                cause TEXT NOT NULL,
                during_maintenance \(f.boolean) NOT NULL DEFAULT \(f.falseLiteral)
            )
            """,
            "CREATE INDEX monitor_events_monitor ON monitor_events (monitor_id, id)",
            """
            CREATE TABLE monitor_downtimes (
                id \(f.identityPrimaryKey),
                monitor_id \(f.bigint) NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
                started_at \(f.bigint) NOT NULL,
                ended_at \(f.bigint),
                cause TEXT NOT NULL,
                first_result_id \(f.bigint)
            )
            """,
            "CREATE INDEX monitor_downtimes_monitor ON monitor_downtimes (monitor_id, started_at)",
            """
            CREATE TABLE monitor_pings (
                id \(f.identityPrimaryKey),
                monitor_id \(f.bigint) NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
                received_at \(f.bigint) NOT NULL,
                kind TEXT NOT NULL,
                run_id TEXT,
                duration_seconds \(f.double),
                body TEXT,
                late \(f.boolean) NOT NULL DEFAULT \(f.falseLiteral)
            )
            """,
            "CREATE INDEX monitor_pings_monitor ON monitor_pings (monitor_id, id)",
            "CREATE INDEX monitor_pings_time ON monitor_pings (received_at)",
            """
            CREATE TABLE status_pages (
                id \(f.identityPrimaryKey),
                organization_id \(f.bigint) NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                slug TEXT NOT NULL UNIQUE,
                title TEXT NOT NULL,
                description TEXT NOT NULL,
                created_at \(f.bigint) NOT NULL
            )
            """,
            """
            CREATE TABLE status_page_monitors (
                status_page_id \(f.bigint) NOT NULL REFERENCES status_pages(id) ON DELETE CASCADE,
                monitor_id \(f.bigint) NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                PRIMARY KEY (status_page_id, monitor_id)
            )
            """,
            """
            CREATE TABLE status_notices (
                id \(f.identityPrimaryKey),
                status_page_id \(f.bigint) NOT NULL REFERENCES status_pages(id) ON DELETE CASCADE,
                title TEXT NOT NULL,
                body TEXT NOT NULL,
                severity TEXT NOT NULL,
                created_at \(f.bigint) NOT NULL
            )
            """,
            "CREATE INDEX status_notices_page ON status_notices (status_page_id, created_at)",
            """
            CREATE TABLE maintenance_windows (
                id \(f.identityPrimaryKey),
                organization_id \(f.bigint) NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                title TEXT NOT NULL,
                schedule TEXT NOT NULL,
                status_page_id \(f.bigint) REFERENCES status_pages(id) ON DELETE CASCADE
            )
            """,
            """
            CREATE TABLE maintenance_window_monitors (
                window_id \(f.bigint) NOT NULL REFERENCES maintenance_windows(id) ON DELETE CASCADE,
                monitor_id \(f.bigint) NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
                PRIMARY KEY (window_id, monitor_id)
            )
            """,
        ]
    }
}
