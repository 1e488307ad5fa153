/// Indexes for the health grid at 10,000 monitors: its page order (component, name) read from
/// the index instead of sorting every monitor, and its state counts and state filter answered
/// from the index alone.
enum MonitorGridSchema {
    static func statements(_ f: SQLFlavor) -> [String] {
        [
            "CREATE INDEX monitors_grid ON monitors (organization_id, component, name, id)",
            "CREATE INDEX monitors_status ON monitors (organization_id, status)",
        ]
    }
}
