public import Foundation
import SQLKit
public import TelltaleCore

/// Runbooks (stored like policies and schedules) and their runs, claimed under a lease by one runner.
extension IncidentSQLRepository {
    static let runColumns = ["id", "runbook_id", "organization_id", "incident_id", "trigger", "status", "payload", "steps", "created_at", "started_at", "finished_at"]

    public func createRunbook(organizationID: OrganizationID, _ draft: RunbookDraft, now: Date) async throws -> Runbook {
        let id = try await insert("runbooks", organizationID, draft.name, AlertCoding.json(draft), now)
        return Runbook(id: RunbookID(id), organizationID: organizationID, draft: draft)
    }

    public func updateRunbook(_ id: RunbookID, _ draft: RunbookDraft, now: Date) async throws -> Runbook? {
        guard try await update("runbooks", id.rawValue, draft.name, AlertCoding.json(draft), now) else { return nil }
        return try await runbook(id: id)
    }

    public func runbook(id: RunbookID) async throws -> Runbook? {
        try await rows("runbooks", "id", id.rawValue).first.map(Self.runbook)
    }

    public func runbooks(organizationID: OrganizationID) async throws -> [Runbook] {
        try await rows("runbooks", "organization_id", organizationID.rawValue).map(Self.runbook)
    }

    public func deleteRunbook(_ id: RunbookID) async throws -> Bool { try await delete("runbooks", id.rawValue) }

    public func queueRun(_ run: RunbookRun) async throws -> RunbookRun {
        let id = try await backend.write { db in
            try await db.insert(into: "runbook_runs")
                .columns("runbook_id", "organization_id", "incident_id", "trigger", "status", "payload", "steps", "created_at")
                .values(SQLBind(run.runbookID.rawValue), SQLBind(run.organizationID.rawValue), SQLBind(run.incidentID?.rawValue), SQLBind(run.trigger),
                        SQLBind(RunbookRun.Status.queued.rawValue), SQLBind(AlertCoding.json(run.payload)), SQLBind(AlertCoding.json(run.steps)),
                        SQLBind(run.createdAt.millisecondsSince1970))
                .returning("id").first(decodingColumn: "id", as: Int64.self)
        }
        guard let id else { throw DomainError.notFound("runbook run") }
        var queued = run
        queued.id = RunbookRunID(id)
        queued.status = .queued
        return queued
    }

    public func hasRunsToClaim(now: Date) async throws -> Bool {
        try await backend.read { db in
            try await db.raw("""
                SELECT id FROM runbook_runs WHERE status = 'queued' OR (status = 'running' AND lease_until < \(bind: now.millisecondsSince1970)) LIMIT 1
                """).first() != nil
        }
    }

    public func claimRun(now: Date, leaseUntil: Date) async throws -> RunbookRun? {
        let flavor = backend.flavor
        return try await backend.write { db in
            try await db.update("runbook_runs").set("status", to: SQLBind(RunbookRun.Status.failed.rawValue))
                .set("finished_at", to: SQLBind(now.millisecondsSince1970))
                .where("status", .equal, SQLBind(RunbookRun.Status.running.rawValue))
                .where("lease_until", .lessThan, SQLBind(now.millisecondsSince1970)).run()
            guard let row = try await db.raw("""
                SELECT \(unsafeRaw: Self.runColumns.joined(separator: ", ")) FROM runbook_runs WHERE status = 'queued' ORDER BY id LIMIT 1\(unsafeRaw: flavor.forUpdateSkipLocked)
                """).first() else { return nil }
            var run = try Self.run(row)
            try await db.update("runbook_runs").set("status", to: SQLBind(RunbookRun.Status.running.rawValue))
                .set("started_at", to: SQLBind(now.millisecondsSince1970)).set("lease_until", to: SQLBind(leaseUntil.millisecondsSince1970))
                .where("id", .equal, SQLBind(run.id.rawValue)).run()
            run.status = .running
            run.startedAt = now
            return run
        }
    }

    public func saveRun(_ run: RunbookRun, leaseUntil: Date?) async throws {
        try await backend.write { db in
            try await db.update("runbook_runs").set("status", to: SQLBind(run.status.rawValue)).set("steps", to: SQLBind(AlertCoding.json(run.steps)))
                .set("finished_at", to: SQLBind(run.finishedAt?.millisecondsSince1970)).set("lease_until", to: SQLBind(leaseUntil?.millisecondsSince1970))
                .where("id", .equal, SQLBind(run.id.rawValue)).run()
        }
    }

    public func run(id: RunbookRunID) async throws -> RunbookRun? {
        try await backend.read { db in
            try await db.select().columns(Self.runColumns.map { SQLColumn($0) }).from("runbook_runs").where("id", .equal, SQLBind(id.rawValue)).first().map(Self.run)
        }
    }

    public func runs(runbookID: RunbookID, limit: Int) async throws -> [RunbookRun] {
        try await backend.read { db in
            try await db.select().columns(Self.runColumns.map { SQLColumn($0) }).from("runbook_runs").where("runbook_id", .equal, SQLBind(runbookID.rawValue))
                .orderBy("id", .descending).limit(limit).all().map(Self.run)
        }
    }

    public func runs(incidentID: IncidentID) async throws -> [RunbookRun] {
        try await backend.read { db in
            try await db.select().columns(Self.runColumns.map { SQLColumn($0) }).from("runbook_runs").where("incident_id", .equal, SQLBind(incidentID.rawValue))
                .orderBy("id").all().map(Self.run)
        }
    }

    public func runCounts(organizationID: OrganizationID) async throws -> [RunbookID: (succeeded: Int, failed: Int)] {
        try await backend.read { db in
            var counts: [RunbookID: (succeeded: Int, failed: Int)] = [:]
            for row in try await db.raw("""
                SELECT runbook_id, status, COUNT(*) AS n FROM runbook_runs WHERE organization_id = \(bind: organizationID.rawValue)
                AND status IN ('succeeded', 'failed') GROUP BY runbook_id, status
                """).all() {
                let id = RunbookID(try row.decode(column: "runbook_id", as: Int64.self))
                let n = try row.decode(column: "n", as: Int.self)
                var entry = counts[id] ?? (0, 0)
                if try row.decode(column: "status", as: String.self) == "succeeded" { entry.succeeded = n } else { entry.failed = n }
                counts[id] = entry
            }
            return counts
        }
    }

    static func runbook(_ row: (Int64, Int64, String)) throws -> Runbook {
        Runbook(id: RunbookID(row.0), organizationID: OrganizationID(row.1), draft: try AlertCoding.decode(RunbookDraft.self, row.2))
    }

    static func run(_ row: any SQLRow) throws -> RunbookRun {
        RunbookRun(id: RunbookRunID(try row.decode(column: "id", as: Int64.self)), runbookID: RunbookID(try row.decode(column: "runbook_id", as: Int64.self)),
                   organizationID: OrganizationID(try row.decode(column: "organization_id", as: Int64.self)),
                   incidentID: try row.decode(column: "incident_id", as: Int64?.self).map(IncidentID.init),
                   trigger: try row.decode(column: "trigger", as: String.self),
                   status: RunbookRun.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .failed,
                   createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self)),
                   startedAt: try row.decode(column: "started_at", as: Int64?.self).map(Date.init(millisecondsSince1970:)),
                   finishedAt: try row.decode(column: "finished_at", as: Int64?.self).map(Date.init(millisecondsSince1970:)),
                   steps: try AlertCoding.decode([RunbookRun.StepResult].self, try row.decode(column: "steps", as: String.self)),
                   payload: try AlertCoding.decode([String: String].self, try row.decode(column: "payload", as: String.self)))
    }
}
