/// User reports grow from the Sentry feedback rows into a triage queue: the reporter's fields,
/// a status, assignee, duplicate and resolution; screenshots in their own table (stored like
/// attachments). Existing feedback rows become open reports of type `other`.
enum UserReportSchema {
    static func statements(_ f: SQLFlavor) -> [String] {
        let columns = [
            "type TEXT NOT NULL DEFAULT 'other'", "priority TEXT NOT NULL DEFAULT 'medium'", "title TEXT", "steps TEXT", "expected TEXT",
            "actual TEXT", "reporter_type TEXT NOT NULL DEFAULT 'customer'", "url TEXT", "browser TEXT", "status TEXT NOT NULL DEFAULT 'open'",
            "assignee_id \(f.bigint)", "duplicate_of \(f.bigint)", "resolution TEXT", "updated_at \(f.bigint)", "replied_at \(f.bigint)",
        ]
        return columns.map { "ALTER TABLE user_reports ADD COLUMN \($0)" } + [
            "CREATE INDEX user_reports_project_status ON user_reports (project_id, status, id)",
            """
            CREATE TABLE user_report_screenshots (
                id \(f.identityPrimaryKey),
                report_id \(f.bigint) NOT NULL REFERENCES user_reports(id) ON DELETE CASCADE,
                filename TEXT NOT NULL,
                content_type TEXT NOT NULL,
                size \(f.bigint) NOT NULL,
                data \(f.blob) NOT NULL
            )
            """,
            "CREATE INDEX user_report_screenshots_report ON user_report_screenshots (report_id)",
        ]
    }
}
