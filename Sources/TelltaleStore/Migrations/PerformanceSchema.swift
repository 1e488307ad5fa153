/// The performance views' statistics: per-minute rows written by the ingest writer (one per
/// key and batch, merged when read), hourly and daily rollups kept by the rollup job (one
/// row per key; each with its users as a mergeable sketch, for user misery), and the names
/// each project has used (the cardinality cap).
enum PerformanceSchema {
    static func statements(_ f: SQLFlavor) -> [String] {
        func statsColumns() -> String {
            """
                kind TEXT NOT NULL,
                name TEXT NOT NULL,
                detail TEXT NOT NULL,
                segment TEXT NOT NULL,
                environment TEXT NOT NULL,
                release TEXT NOT NULL,
                n \(f.bigint) NOT NULL,
                failures \(f.bigint) NOT NULL,
                good \(f.bigint) NOT NULL,
                fair \(f.bigint) NOT NULL,
                sketch \(f.blob) NOT NULL,
                example_event_id TEXT,
                example_value \(f.double) NOT NULL,
                users \(f.blob) NOT NULL,
                miserable \(f.blob) NOT NULL
            """
        }
        return [
            """
            CREATE TABLE perf_minutes (
                id \(f.identityPrimaryKey),
                project_id \(f.bigint) NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
                bucket \(f.bigint) NOT NULL,
            \(statsColumns()),
                rolled \(f.boolean) NOT NULL DEFAULT \(f.falseLiteral)
            )
            """,
            "CREATE INDEX perf_minutes_read ON perf_minutes (project_id, kind, bucket)",
            "CREATE INDEX perf_minutes_rolled ON perf_minutes (rolled, bucket)",
            """
            CREATE TABLE perf_rollups (
                project_id \(f.bigint) NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
                granularity \(f.bigint) NOT NULL,
                bucket \(f.bigint) NOT NULL,
            \(statsColumns()),
                PRIMARY KEY (project_id, kind, granularity, bucket, name, detail, segment, environment, release)
            )\(f.clusteredByPrimaryKey)
            """,
            """
            CREATE TABLE perf_names (
                project_id \(f.bigint) NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
                kind TEXT NOT NULL,
                name TEXT NOT NULL,
                first_seen \(f.bigint) NOT NULL,
                PRIMARY KEY (project_id, kind, name)
            )\(f.clusteredByPrimaryKey)
            """,
            "CREATE INDEX sessions_project_started ON sessions (project_id, started)",
            "CREATE INDEX transactions_project_timestamp ON transactions (project_id, timestamp)",
        ]
    }
}
