/// Business insight: an organization's workflows (JSON definitions, like runbooks), its
/// business settings, and the revenue that error events sent with them (`revenue_impact`),
/// per issue and five minutes like `issue_counts`; events without it are valued by their
/// workflow when read.
enum BusinessSchema {
    static func statements(_ f: SQLFlavor) -> [String] {
        [
            """
            CREATE TABLE workflows (
                id \(f.identityPrimaryKey),
                organization_id \(f.bigint) NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                definition TEXT NOT NULL,
                created_at \(f.bigint) NOT NULL,
                updated_at \(f.bigint) NOT NULL,
                UNIQUE (organization_id, name)
            )
            """,
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
}
