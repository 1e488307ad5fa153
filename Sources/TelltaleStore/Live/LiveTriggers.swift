/// The tables whose committed writes wake live pages, and the triggers that report them,
/// written once for both databases: PostgreSQL's call `pg_notify` (delivered to every
/// node's `LISTEN` when the transaction commits); SQLite's are `TEMP` triggers on the
/// writer connection calling a function of ours, which the backend hands on after commit.
enum LiveTriggers {
    /// The `NOTIFY` channel.
    static let channel = "telltale_live"

    struct Watched {
        var table: String
        /// Trigger events, one per SQLite trigger (SQLite has no `INSERT OR UPDATE`).
        var events: [String]
        /// The change's wire text (`LiveChange.wire`) from the new row.
        var wire: String
    }

    static let watched: [Watched] = [
        // Only a new event moves `last_seen`; status changes do not add rows to the live list.
        Watched(table: "issues", events: ["INSERT", "UPDATE OF last_seen"], wire: "'issues p' || NEW.project_id"),
        Watched(table: "monitor_events", events: ["INSERT"], wire: "'monitors o' || NEW.organization_id"),
        Watched(table: "incidents", events: ["INSERT", "UPDATE"], wire: "'incidents o' || NEW.organization_id"),
        Watched(table: "inbox_notifications", events: ["INSERT", "UPDATE"], wire: "'notifications u' || NEW.user_id"),
    ]

    /// The migration: one trigger function, one row trigger per table. PostgreSQL folds
    /// identical notifications of one transaction into one, so a batch of events for one
    /// project sends one.
    static func migration(_ flavor: SQLFlavor) -> [String] {
        guard flavor == .postgres else { return [] }
        let cases = watched.map { "WHEN '\($0.table)' THEN PERFORM pg_notify('\(channel)', \($0.wire));" }.joined(separator: "\n        ")
        let function = """
            CREATE OR REPLACE FUNCTION telltale_live_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                CASE TG_TABLE_NAME
                \(cases)
                ELSE NULL;
                END CASE;
                RETURN NULL;
            END
            $$
            """
        return [function] + watched.map { table in
            "CREATE TRIGGER \(table.table)_live AFTER \(table.events.joined(separator: " OR ")) ON \(table.table) FOR EACH ROW EXECUTE FUNCTION telltale_live_change()"
        }
    }

    /// The SQLite function the temporary triggers call.
    static let sqliteFunction = "telltale_live"

    /// Temporary triggers for the SQLite writer connection (recreated by each process, never
    /// stored in the file, so other programs writing the database need no function of ours).
    static var sqliteTriggers: [String] {
        watched.flatMap { table in
            table.events.enumerated().map { index, event in
                "CREATE TEMP TRIGGER IF NOT EXISTS \(table.table)_live_\(index) AFTER \(event) ON main.\(table.table) BEGIN SELECT \(sqliteFunction)(\(table.wire)); END"
            }
        }
    }
}
