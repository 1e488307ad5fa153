/// Incidents with their links and timeline, escalation policies and on-call schedules (their
/// definitions as JSON, like alert rules, so they grow without schema changes), and the
/// post-incident report's editable sections.
enum IncidentsSchema {
    /// A table of named JSON definitions of an organization (policies, schedules, runbooks).
    static func definitions(_ table: String, _ f: SQLFlavor) -> String {
        """
        CREATE TABLE \(table) (
            id \(f.identityPrimaryKey),
            organization_id \(f.bigint) NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            definition TEXT NOT NULL,
            created_at \(f.bigint) NOT NULL,
            updated_at \(f.bigint) NOT NULL
        )
        """
    }

    /// A person's contact methods are channels with an owner (delivered, retried and logged
    /// like any channel).
    static func contactMethods(_ f: SQLFlavor) -> [String] {
        [
            "ALTER TABLE alert_channels ADD COLUMN owner_user_id \(f.bigint) REFERENCES users(id) ON DELETE CASCADE",
            "CREATE INDEX alert_channels_owner ON alert_channels (owner_user_id)",
        ]
    }

    static func statements(_ f: SQLFlavor) -> [String] {
        [
            definitions("escalation_policies", f),
            "CREATE INDEX escalation_policies_organization ON escalation_policies (organization_id)",
            definitions("oncall_schedules", f),
            "CREATE INDEX oncall_schedules_organization ON oncall_schedules (organization_id)",
            """
            CREATE TABLE incidents (
                id \(f.identityPrimaryKey),
                organization_id \(f.bigint) NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                title TEXT NOT NULL,
                severity TEXT NOT NULL,
                status TEXT NOT NULL,
                impact TEXT NOT NULL,
                commander_id \(f.bigint) REFERENCES users(id) ON DELETE SET NULL,
                policy_id \(f.bigint) REFERENCES escalation_policies(id) ON DELETE SET NULL,
                auto_resolve \(f.boolean) NOT NULL,
                quiet_period_seconds INTEGER NOT NULL,
                dedup_key TEXT,
                opened_by TEXT NOT NULL,
                opened_at \(f.bigint) NOT NULL,
                acknowledged_at \(f.bigint),
                acknowledged_by TEXT,
                resolved_at \(f.bigint),
                resolved_by TEXT,
                escalation TEXT NOT NULL,
                escalation_due_at \(f.bigint),
                postmortem TEXT NOT NULL,
                revision \(f.bigint) NOT NULL
            )
            """,
            "CREATE INDEX incidents_organization ON incidents (organization_id, status, id)",
            "CREATE INDEX incidents_escalation_due ON incidents (escalation_due_at)",
            // One open incident per rule and subject, even when two nodes open it at once.
            "CREATE UNIQUE INDEX incidents_open_dedup ON incidents (organization_id, dedup_key) WHERE dedup_key IS NOT NULL AND status <> 'resolved'",
            """
            CREATE TABLE incident_links (
                incident_id \(f.bigint) NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
                kind TEXT NOT NULL,
                target_id \(f.bigint) NOT NULL,
                PRIMARY KEY (incident_id, kind, target_id)
            )
            """,
            "CREATE INDEX incident_links_target ON incident_links (kind, target_id)",
            """
            CREATE TABLE incident_timeline (
                id \(f.identityPrimaryKey),
                incident_id \(f.bigint) NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
                at \(f.bigint) NOT NULL,
                kind TEXT NOT NULL,
                actor TEXT NOT NULL,
                message TEXT NOT NULL,
                public \(f.boolean) NOT NULL
            )
            """,
            "CREATE INDEX incident_timeline_incident ON incident_timeline (incident_id, at)",
            definitions("runbooks", f),
            "CREATE INDEX runbooks_organization ON runbooks (organization_id)",
            """
            CREATE TABLE runbook_runs (
                id \(f.identityPrimaryKey),
                runbook_id \(f.bigint) NOT NULL REFERENCES runbooks(id) ON DELETE CASCADE,
                organization_id \(f.bigint) NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                incident_id \(f.bigint) REFERENCES incidents(id) ON DELETE SET NULL,
                trigger TEXT NOT NULL,
                status TEXT NOT NULL,
                payload TEXT NOT NULL,
                steps TEXT NOT NULL,
                created_at \(f.bigint) NOT NULL,
                started_at \(f.bigint),
                finished_at \(f.bigint),
                lease_until \(f.bigint)
            )
            """,
            "CREATE INDEX runbook_runs_runbook ON runbook_runs (runbook_id, id)",
            "CREATE INDEX runbook_runs_status ON runbook_runs (status, lease_until)",
        ]
    }
}
