/// Hourly event counts per project, level and category, kept in step with `events` by every
/// statement that inserts or deletes events; charts over days read these few hundred rows
/// instead of counting a million events. Existing events are counted in.
enum EventCountsSchema {
    static func statements(_ f: SQLFlavor) -> [String] {
        [
            """
            CREATE TABLE event_counts (
                project_id \(f.bigint) NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
                hour \(f.bigint) NOT NULL,
                level TEXT NOT NULL,
                category TEXT NOT NULL,
                n \(f.bigint) NOT NULL,
                PRIMARY KEY (project_id, hour, level, category)
            )\(f.clusteredByPrimaryKey)
            """,
            """
            INSERT INTO event_counts (project_id, hour, level, category, n)
            SELECT project_id, received_at / \(EventCounts.hour) * \(EventCounts.hour), level, COALESCE(category, ''), COUNT(*) FROM events
            GROUP BY project_id, received_at / \(EventCounts.hour) * \(EventCounts.hour), level, COALESCE(category, '')
            """,
        ]
    }
}
