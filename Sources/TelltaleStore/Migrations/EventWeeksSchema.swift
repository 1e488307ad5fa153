import TelltaleCore

/// PostgreSQL keeps events in one table per week (declarative range partitions on
/// `received_at`), so retention drops a week whole instead of deleting its rows. SQLite
/// keeps one table and batched deletes.
///
/// The conversion copies no events: the old table becomes the partition for everything
/// received up to the end of the current week, and ages out like any week. A partitioned
/// table's unique keys must include the partition key, so "this event id was already
/// stored" moves to `event_ids`, which ingest claims ids in before inserting. Filling it is
/// the step's cost (a sequential copy of two columns and one index build; README has the
/// figure at 10 million events).
enum EventWeeksSchema {
    static let version = 23

    static func statements(_ f: SQLFlavor) -> [String] {
        guard f == .postgres else { return [] }
        return [
            "SET LOCAL maintenance_work_mem = '256MB'",
            "ALTER TABLE events RENAME TO events_before_weeks",
            "CREATE TABLE events (LIKE events_before_weeks INCLUDING DEFAULTS INCLUDING IDENTITY) PARTITION BY RANGE (received_at)",
            // Ids continue after every id ever handed out (forwarder cursors compare ids).
            "SELECT setval(pg_get_serial_sequence('events', 'id'), nextval(pg_get_serial_sequence('events_before_weeks', 'id')), false)",
            // Declared like the old table's, so attaching adopts the old constraints and
            // indexes instead of checking or building them again.
            "ALTER TABLE events ADD FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE CASCADE",
            "ALTER TABLE events ADD FOREIGN KEY (issue_id) REFERENCES issues(id) ON DELETE CASCADE",
            "CREATE INDEX events_by_issue ON events (issue_id, timestamp)",
            "CREATE INDEX events_by_project ON events (project_id, received_at, level, category)",
            // Not unique: a partitioned unique index would need received_at too. Identity keeps
            // ids unique, event_ids keeps event ids unique; these serve lookups.
            "CREATE INDEX events_by_id ON events (id)",
            "CREATE INDEX events_by_event_id ON events (project_id, event_id)",
            // "Is this its issue's first event" (alert evaluation) in one probe: without it the
            // planner may intersect the events with every lower id, per event read.
            "CREATE INDEX events_by_issue_id ON events (issue_id, id)",
            """
            DO $$
            DECLARE
                week CONSTANT BIGINT := \(EventWeek.milliseconds);
                monday CONSTANT BIGINT := \(EventWeek(containing: 0).adding(1).start);
                newest BIGINT;
            BEGIN
                SELECT GREATEST(COALESCE(MAX(received_at), 0), (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT) INTO newest
                    FROM events_before_weeks;
                EXECUTE format('ALTER TABLE events ATTACH PARTITION events_before_weeks FOR VALUES FROM (MINVALUE) TO (%s)',
                    monday + ((newest - monday) / week + 1) * week);
            END $$
            """,
            // Receive times no week covers land here (the retention job creates weeks ahead).
            "CREATE TABLE events_unscheduled PARTITION OF events DEFAULT",
            "ALTER TABLE events_before_weeks DROP CONSTRAINT IF EXISTS events_pkey",
            "ALTER TABLE events_before_weeks DROP CONSTRAINT IF EXISTS events_project_id_event_id_key",
            "CREATE TABLE event_ids (project_id BIGINT NOT NULL, event_id TEXT NOT NULL, received_at BIGINT NOT NULL)",
            "INSERT INTO event_ids (project_id, event_id, received_at) SELECT project_id, event_id, received_at FROM events_before_weeks",
            "ALTER TABLE event_ids ADD PRIMARY KEY (project_id, event_id)",
            // Every copied row already satisfied this through events; new rows are checked.
            "ALTER TABLE event_ids ADD FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE CASCADE NOT VALID",
            "CREATE INDEX event_ids_by_project ON event_ids (project_id, received_at)",
        ]
    }
}
