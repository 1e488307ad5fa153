/// Alerting: channels, business calendars, rules, silences, the alert history, the durable
/// notification queue with its attempts, and the evaluation cursors.
enum AlertingSchema {
    static func statements(_ f: SQLFlavor) -> [String] {
        [
            """
            CREATE TABLE alert_channels (
                id \(f.identityPrimaryKey),
                organization_id \(f.bigint) NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                type TEXT NOT NULL,
                config TEXT NOT NULL,
                created_at \(f.bigint) NOT NULL
            )
            """,
            "CREATE INDEX alert_channels_organization ON alert_channels (organization_id)",
            """
            CREATE TABLE business_calendars (
                id \(f.identityPrimaryKey),
                organization_id \(f.bigint) NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                time_zone TEXT NOT NULL,
                windows TEXT NOT NULL,
                created_at \(f.bigint) NOT NULL
            )
            """,
            "CREATE INDEX business_calendars_organization ON business_calendars (organization_id)",
            """
            CREATE TABLE alert_rules (
                id \(f.identityPrimaryKey),
                organization_id \(f.bigint) NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                definition TEXT NOT NULL,
                created_at \(f.bigint) NOT NULL,
                updated_at \(f.bigint) NOT NULL
            )
            """,
            "CREATE INDEX alert_rules_organization ON alert_rules (organization_id)",
            """
            CREATE TABLE alert_silences (
                id \(f.identityPrimaryKey),
                organization_id \(f.bigint) NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                matchers TEXT NOT NULL,
                starts_at \(f.bigint) NOT NULL,
                ends_at \(f.bigint) NOT NULL,
                created_by \(f.bigint) REFERENCES users(id) ON DELETE SET NULL,
                comment TEXT NOT NULL,
                created_at \(f.bigint) NOT NULL
            )
            """,
            "CREATE INDEX alert_silences_organization ON alert_silences (organization_id, ends_at)",
            """
            CREATE TABLE alerts (
                id \(f.identityPrimaryKey),
                organization_id \(f.bigint) NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                rule_id \(f.bigint) NOT NULL REFERENCES alert_rules(id) ON DELETE CASCADE,
                subject TEXT NOT NULL,
                status TEXT NOT NULL,
                severity TEXT NOT NULL,
                title TEXT NOT NULL,
                reason TEXT NOT NULL,
                labels TEXT NOT NULL,
                link TEXT NOT NULL,
                resolution \(f.boolean) NOT NULL,
                created_at \(f.bigint) NOT NULL
            )
            """,
            "CREATE INDEX alerts_organization ON alerts (organization_id, id)",
            "CREATE INDEX alerts_rule_subject ON alerts (rule_id, subject, status, created_at)",
            """
            CREATE TABLE notifications (
                id \(f.identityPrimaryKey),
                organization_id \(f.bigint) NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                channel_id \(f.bigint) REFERENCES alert_channels(id) ON DELETE CASCADE,
                channel_type TEXT NOT NULL,
                message TEXT NOT NULL,
                title TEXT NOT NULL,
                status TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at \(f.bigint),
                lease_owner TEXT,
                lease_until \(f.bigint),
                last_error TEXT,
                created_at \(f.bigint) NOT NULL,
                delivered_at \(f.bigint)
            )
            """,
            "CREATE INDEX notifications_due ON notifications (status, next_attempt_at)",
            "CREATE INDEX notifications_organization ON notifications (organization_id, id)",
            """
            CREATE TABLE notification_attempts (
                id \(f.identityPrimaryKey),
                notification_id \(f.bigint) NOT NULL REFERENCES notifications(id) ON DELETE CASCADE,
                attempted_at \(f.bigint) NOT NULL,
                status_code INTEGER,
                error TEXT,
                duration_ms \(f.double) NOT NULL,
                outcome TEXT NOT NULL
            )
            """,
            "CREATE INDEX notification_attempts_notification ON notification_attempts (notification_id, id)",
            "CREATE TABLE alert_cursors (name TEXT PRIMARY KEY, position \(f.bigint) NOT NULL)",
        ]
    }
}
