public import Foundation
import SQLKit
public import TelltaleCore

/// Incidents in SQL. Every change goes through `save`, a compare-and-set on the revision, so
/// two nodes (or a person and the escalation timer) never both apply a change to one state.
public struct IncidentSQLRepository: IncidentRepository {
    let backend: any SQLBackend

    static let columns = ["id", "organization_id", "title", "severity", "status", "impact", "commander_id", "policy_id", "auto_resolve",
                          "quiet_period_seconds", "dedup_key", "opened_by", "opened_at", "acknowledged_at", "acknowledged_by", "resolved_at",
                          "resolved_by", "escalation", "revision"]

    // MARK: Incidents

    public func open(_ incident: Incident, links: IncidentLinks, entry: TimelineEntry, notifications: [OutgoingNotification]) async throws -> (Incident, created: Bool) {
        let flavor = backend.flavor
        let result: (Int64, Bool) = try await backend.write { db in
            if let key = incident.dedupKey,
               let existing = try await db.raw("""
                   SELECT id FROM incidents WHERE organization_id = \(bind: incident.organizationID.rawValue) AND dedup_key = \(bind: key)
                   AND status <> 'resolved' ORDER BY id DESC LIMIT 1\(unsafeRaw: flavor.forUpdate)
                   """).first(decodingColumn: "id", as: Int64.self) {
                // The same alert read twice (a replayed batch) attaches once.
                if !links.alerts.isEmpty {
                    let known = try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("incident_links")
                        .where("incident_id", .equal, SQLBind(existing)).where("kind", .equal, SQLBind("alert"))
                        .where("target_id", .in, SQLBind.group(links.alerts.map(\.rawValue))).first(decodingColumn: "n", as: Int.self) ?? 0
                    if known == links.alerts.count { return (existing, false) }
                }
                try await Self.link(existing, links, in: db)
                var attached = entry
                attached.kind = .attached
                try await Self.append([attached], to: existing, in: db)
                return (existing, false)
            }
            let id = try await db.insert(into: "incidents")
                .columns("organization_id", "title", "severity", "status", "impact", "commander_id", "policy_id", "auto_resolve", "quiet_period_seconds",
                         "dedup_key", "opened_by", "opened_at", "escalation", "escalation_due_at", "postmortem", "revision")
                .values(SQLBind(incident.organizationID.rawValue), SQLBind(String(incident.title.prefix(500))), SQLBind(incident.severity.rawValue),
                        SQLBind(incident.status.rawValue), SQLBind(String(incident.impact.prefix(5_000))), SQLBind(incident.commanderID?.rawValue),
                        SQLBind(incident.policyID?.rawValue), SQLBind(incident.autoResolve), SQLBind(incident.quietPeriodSeconds),
                        SQLBind(incident.dedupKey), SQLBind(incident.openedBy.label), SQLBind(incident.openedAt.millisecondsSince1970),
                        SQLBind(AlertCoding.json(incident.escalation)), SQLBind(incident.escalation.dueAt?.millisecondsSince1970),
                        SQLBind(AlertCoding.json(Postmortem())), SQLBind(Int64(0)))
                .returning("id").first(decodingColumn: "id", as: Int64.self)
            guard let id else { throw DomainError.notFound("incident") }
            try await Self.link(id, links, in: db)
            try await Self.append([entry], to: id, in: db)
            try await AlertSQLRepository.queue(notifications, in: db, now: entry.at)
            return (id, true)
        }
        guard let stored = try await self.incident(id: IncidentID(result.0)) else { throw DomainError.notFound("incident") }
        return (stored, result.1)
    }

    public func incident(id: IncidentID) async throws -> Incident? {
        try await backend.read { db in
            try await db.select().columns(Self.columns.map { SQLColumn($0) }).from("incidents").where("id", .equal, SQLBind(id.rawValue)).first().map(Self.incident)
        }
    }

    public func openIncident(organizationID: OrganizationID, dedupKey: String) async throws -> Incident? {
        try await backend.read { db in
            try await db.select().columns(Self.columns.map { SQLColumn($0) }).from("incidents").where("organization_id", .equal, SQLBind(organizationID.rawValue))
                .where("dedup_key", .equal, SQLBind(dedupKey)).where("status", .notEqual, SQLBind(IncidentStatus.resolved.rawValue)).first().map(Self.incident)
        }
    }

    public func incidents(organizationID: OrganizationID, statuses: [IncidentStatus], limit: Int) async throws -> [Incident] {
        try await backend.read { db in
            var query = db.select().columns(Self.columns.map { SQLColumn($0) }).from("incidents").where("organization_id", .equal, SQLBind(organizationID.rawValue))
            if !statuses.isEmpty { query = query.where("status", .in, SQLBind.group(statuses.map(\.rawValue))) }
            return try await query.orderBy("id", .descending).limit(limit).all().map(Self.incident)
        }
    }

    public func incidents(linkedTo kind: String, id: Int64, limit: Int) async throws -> [Incident] {
        try await backend.read { db in
            try await db.select().columns(Self.columns.map { SQLColumn($0) }).from("incidents")
                .where(SQLColumn("id"), .in, SQLGroupExpression(db.select().column("incident_id").from("incident_links")
                    .where("kind", .equal, SQLBind(kind)).where("target_id", .equal, SQLBind(id)).query))
                .orderBy("id", .descending).limit(limit).all().map(Self.incident)
        }
    }

    public func incidents(organizationID: OrganizationID, openedSince since: Date) async throws -> [Incident] {
        try await backend.read { db in
            try await db.select().columns(Self.columns.map { SQLColumn($0) }).from("incidents").where("organization_id", .equal, SQLBind(organizationID.rawValue))
                .where("opened_at", .greaterThanOrEqual, SQLBind(since.millisecondsSince1970)).orderBy("id").all().map(Self.incident)
        }
    }

    public func save(_ incident: Incident, entries: [TimelineEntry], notifications: [OutgoingNotification]) async throws -> Incident? {
        let saved = try await backend.write { db -> Bool in
            let updated = try await db.update("incidents")
                .set("title", to: SQLBind(String(incident.title.prefix(500))))
                .set("severity", to: SQLBind(incident.severity.rawValue))
                .set("status", to: SQLBind(incident.status.rawValue))
                .set("impact", to: SQLBind(String(incident.impact.prefix(5_000))))
                .set("commander_id", to: SQLBind(incident.commanderID?.rawValue))
                .set("policy_id", to: SQLBind(incident.policyID?.rawValue))
                .set("auto_resolve", to: SQLBind(incident.autoResolve))
                .set("quiet_period_seconds", to: SQLBind(incident.quietPeriodSeconds))
                .set("acknowledged_at", to: SQLBind(incident.acknowledgedAt?.millisecondsSince1970))
                .set("acknowledged_by", to: SQLBind(incident.acknowledgedBy?.label))
                .set("resolved_at", to: SQLBind(incident.resolvedAt?.millisecondsSince1970))
                .set("resolved_by", to: SQLBind(incident.resolvedBy?.label))
                .set("escalation", to: SQLBind(AlertCoding.json(incident.escalation)))
                .set("escalation_due_at", to: SQLBind(incident.escalation.dueAt?.millisecondsSince1970))
                .set("revision", to: SQLBind(incident.revision + 1))
                .where("id", .equal, SQLBind(incident.id.rawValue)).where("revision", .equal, SQLBind(incident.revision))
                .returning("id").all()
            guard !updated.isEmpty else { return false }
            try await Self.append(entries, to: incident.id.rawValue, in: db)
            try await AlertSQLRepository.queue(notifications, in: db, now: entries.last?.at ?? Date())
            return true
        }
        guard saved else { return nil }
        var stored = incident
        stored.revision += 1
        return stored
    }

    public func addLinks(_ id: IncidentID, _ links: IncidentLinks) async throws {
        try await backend.write { db in try await Self.link(id.rawValue, links, in: db) }
    }

    public func links(_ id: IncidentID) async throws -> IncidentLinks {
        try await backend.read { db in
            var links = IncidentLinks()
            for row in try await db.select().columns("kind", "target_id").from("incident_links").where("incident_id", .equal, SQLBind(id.rawValue))
                .orderBy("target_id").all() {
                let target = try row.decode(column: "target_id", as: Int64.self)
                switch try row.decode(column: "kind", as: String.self) {
                case "issue": links.issues.append(target)
                case "monitor": links.monitors.append(MonitorID(target))
                case "project": links.projects.append(ProjectID(target))
                case "alert": links.alerts.append(AlertID(target))
                default: break
                }
            }
            return links
        }
    }

    public func timeline(_ id: IncidentID) async throws -> [TimelineEntry] {
        try await backend.read { db in
            try await db.select().columns("at", "kind", "actor", "message", "public").from("incident_timeline")
                .where("incident_id", .equal, SQLBind(id.rawValue)).orderBy("at").orderBy("id").all().map { row in
                    TimelineEntry(at: Date(millisecondsSince1970: try row.decode(column: "at", as: Int64.self)),
                                  kind: TimelineEntry.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .note,
                                  actor: IncidentActor(label: try row.decode(column: "actor", as: String.self)) ?? .automatic,
                                  message: try row.decode(column: "message", as: String.self), isPublic: try row.decode(column: "public", as: Bool.self))
                }
        }
    }

    public func postmortem(_ id: IncidentID) async throws -> Postmortem {
        try await backend.read { db in
            let text = try await db.select().column("postmortem").from("incidents").where("id", .equal, SQLBind(id.rawValue))
                .first(decodingColumn: "postmortem", as: String.self)
            return try text.map { try AlertCoding.decode(Postmortem.self, $0) } ?? Postmortem()
        }
    }

    public func savePostmortem(_ id: IncidentID, _ postmortem: Postmortem) async throws {
        try await backend.write { db in
            try await db.update("incidents").set("postmortem", to: SQLBind(AlertCoding.json(postmortem))).where("id", .equal, SQLBind(id.rawValue)).run()
        }
    }

    public func alerts(after position: Int64, limit: Int) async throws -> [AlertRecord] {
        try await backend.read { db in
            try await db.select().columns(AlertSQLRepository.alertColumns.map { SQLColumn($0) }).from("alerts").where("id", .greaterThan, SQLBind(position))
                .orderBy("id").limit(limit).all().map(AlertSQLRepository.alertRecord)
        }
    }

    public func latestAlertID() async throws -> Int64 {
        try await backend.read { db in
            try await db.raw("SELECT MAX(id) AS n FROM alerts").first(decodingColumn: "n", as: Int64?.self) ?? nil
        } ?? 0
    }

    public func openCounts() async throws -> [IncidentSeverity: Int] {
        try await backend.read { db in
            var counts: [IncidentSeverity: Int] = [:]
            for row in try await db.raw("SELECT severity, COUNT(*) AS n FROM incidents WHERE status <> 'resolved' GROUP BY severity").all() {
                if let severity = IncidentSeverity(rawValue: try row.decode(column: "severity", as: String.self)) {
                    counts[severity] = try row.decode(column: "n", as: Int.self)
                }
            }
            return counts
        }
    }

    public func dueEscalations(now: Date, limit: Int) async throws -> [Incident] {
        try await backend.read { db in
            try await db.select().columns(Self.columns.map { SQLColumn($0) }).from("incidents")
                .where("escalation_due_at", .lessThanOrEqual, SQLBind(now.millisecondsSince1970)).where("status", .equal, SQLBind(IncidentStatus.triggered.rawValue))
                .orderBy("escalation_due_at").limit(limit).all().map(Self.incident)
        }
    }

    public func autoResolveCandidates(limit: Int) async throws -> [(Incident, monitorsUp: Bool, lastEventAt: Date?)] {
        try await backend.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: Self.columns.map { "i." + $0 }.joined(separator: ", ")),
                    (SELECT COUNT(*) FROM incident_links l JOIN monitors m ON m.id = l.target_id
                        WHERE l.incident_id = i.id AND l.kind = 'monitor' AND m.status <> 'up') AS monitors_not_up,
                    (SELECT MAX(s.last_seen) FROM incident_links l JOIN issues s ON s.id = l.target_id
                        WHERE l.incident_id = i.id AND l.kind = 'issue') AS last_event_at
                FROM incidents i WHERE i.auto_resolve = \(bind: true) AND i.status <> 'resolved' ORDER BY i.id LIMIT \(bind: limit)
                """).all().map { row in
                (try Self.incident(row), try row.decode(column: "monitors_not_up", as: Int.self) == 0,
                 try row.decode(column: "last_event_at", as: Int64?.self).map(Date.init(millisecondsSince1970:)))
            }
        }
    }

    static func link(_ id: Int64, _ links: IncidentLinks, in db: any SQLDatabase) async throws {
        let rows = links.issues.map { ("issue", $0) } + links.monitors.map { ("monitor", $0.rawValue) } + links.projects.map { ("project", $0.rawValue) }
            + links.alerts.map { ("alert", $0.rawValue) }
        for (kind, target) in rows {
            try await db.insert(into: "incident_links").columns("incident_id", "kind", "target_id").values(SQLBind(id), SQLBind(kind), SQLBind(target))
                .ignoringConflicts(with: ["incident_id", "kind", "target_id"]).run()
        }
    }

    static func append(_ entries: [TimelineEntry], to id: Int64, in db: any SQLDatabase) async throws {
        for entry in entries {
            try await db.insert(into: "incident_timeline").columns("incident_id", "at", "kind", "actor", "message", "public")
                .values(SQLBind(id), SQLBind(entry.at.millisecondsSince1970), SQLBind(entry.kind.rawValue), SQLBind(entry.actor.label),
                        SQLBind(String(entry.message.prefix(10_000))), SQLBind(entry.isPublic))
                .run()
        }
    }

    static func incident(_ row: any SQLRow) throws -> Incident {
        func date(_ column: String) throws -> Date? { try row.decode(column: column, as: Int64?.self).map(Date.init(millisecondsSince1970:)) }
        return Incident(
            id: IncidentID(try row.decode(column: "id", as: Int64.self)), organizationID: OrganizationID(try row.decode(column: "organization_id", as: Int64.self)),
            title: try row.decode(column: "title", as: String.self),
            severity: IncidentSeverity(rawValue: try row.decode(column: "severity", as: String.self)) ?? .high,
            status: IncidentStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .triggered,
            impact: try row.decode(column: "impact", as: String.self), commanderID: try row.decode(column: "commander_id", as: Int64?.self).map(UserID.init),
            policyID: try row.decode(column: "policy_id", as: Int64?.self).map(EscalationPolicyID.init),
            autoResolve: try row.decode(column: "auto_resolve", as: Bool.self), quietPeriodSeconds: try row.decode(column: "quiet_period_seconds", as: Int.self),
            dedupKey: try row.decode(column: "dedup_key", as: String?.self),
            openedBy: IncidentActor(label: try row.decode(column: "opened_by", as: String.self)) ?? .automatic, openedAt: try date("opened_at") ?? Date(),
            acknowledgedAt: try date("acknowledged_at"), acknowledgedBy: try row.decode(column: "acknowledged_by", as: String?.self).flatMap(IncidentActor.init(label:)),
            resolvedAt: try date("resolved_at"), resolvedBy: try row.decode(column: "resolved_by", as: String?.self).flatMap(IncidentActor.init(label:)),
            escalation: try AlertCoding.decode(EscalationState.self, try row.decode(column: "escalation", as: String.self)),
            revision: try row.decode(column: "revision", as: Int64.self))
    }
}
