import Foundation
import SQLKit
import TelltaleCore

extension MonitorSQLRepository {
    /// The monitor's row, locked for the rest of the transaction on PostgreSQL.
    static func lockedRow(_ db: any SQLDatabase, _ id: MonitorID, _ flavor: SQLFlavor) async throws -> (any SQLRow)? {
        let columns = MonitorRows.columns.joined(separator: ", ")
        return try await db.raw("SELECT \(unsafeRaw: columns) FROM monitors WHERE id = \(bind: id.rawValue)\(unsafeRaw: flavor.forUpdate)").first()
    }

    static func insertResult(_ db: any SQLDatabase, _ result: CheckResult) async throws -> Int64? {
        try await db.insert(into: "monitor_results")
            .columns("monitor_id", "checked_at", "verdict", "response_ms", "status_code", "message")
            .values(SQLBind(result.monitorID.rawValue), SQLBind(result.checkedAt.millisecondsSince1970), SQLBind(result.verdict.rawValue),
                    SQLBind(result.responseMilliseconds), SQLBind(result.statusCode), SQLBind(String(result.message.prefix(1000))))
            .returning("id").first(decodingColumn: "id", as: Int64.self)
    }

    static func releaseLease(_ db: any SQLDatabase, _ id: MonitorID) async throws {
        try await db.update("monitors").set("lease_owner", to: SQLLiteral.null).set("lease_until", to: SQLLiteral.null)
            .where("id", .equal, SQLBind(id.rawValue)).run()
    }

    /// Writes the new state; for a transition also its event and the downtime it opens or closes.
    @discardableResult
    static func save(_ db: any SQLDatabase, monitor: Monitor, state: MonitorState, transition: MonitorTransition?,
                     resultID: Int64?, inMaintenance: Bool) async throws -> MonitorEvent? {
        try await db.update("monitors")
            .set("status", to: SQLBind(state.status.rawValue))
            .set("consecutive_failures", to: SQLBind(state.consecutiveFailures))
            .set("consecutive_successes", to: SQLBind(state.consecutiveSuccesses))
            .set("streak_started_at", to: SQLBind(state.streakStartedAt?.millisecondsSince1970))
            .set("status_since", to: SQLBind(state.since.millisecondsSince1970))
            .where("id", .equal, SQLBind(monitor.id.rawValue)).run()
        guard let transition else { return nil }
        return try await saveTransition(db, monitor: monitor, transition: transition, resultID: resultID, inMaintenance: inMaintenance)
    }

    /// A transition's event, and the downtime it opens or closes.
    static func saveTransition(_ db: any SQLDatabase, monitor: Monitor, transition: MonitorTransition,
                               resultID: Int64?, inMaintenance: Bool) async throws -> MonitorEvent {
        if transition.from == .down {
            try await db.update("monitor_downtimes").set("ended_at", to: SQLBind(transition.at.millisecondsSince1970))
                .where("monitor_id", .equal, SQLBind(monitor.id.rawValue)).where("ended_at", .is, SQLLiteral.null).run()
        }
        if transition.to == .down {
            // The downtime starts at the first failure of the run, which may be an earlier result.
            let firstResult = try await db.select().column("id").from("monitor_results")
                .where("monitor_id", .equal, SQLBind(monitor.id.rawValue))
                .where("checked_at", .greaterThanOrEqual, SQLBind(transition.at.millisecondsSince1970))
                .where("verdict", .equal, SQLBind(CheckVerdict.down.rawValue))
                .orderBy("checked_at").limit(1).first(decodingColumn: "id", as: Int64.self) ?? resultID
            let cause = try await db.select().column("message").from("monitor_results")
                .where("id", .equal, SQLBind(firstResult ?? -1)).first(decodingColumn: "message", as: String.self) ?? transition.cause
            try await db.insert(into: "monitor_downtimes").columns("monitor_id", "started_at", "cause", "first_result_id")
                .values(SQLBind(monitor.id.rawValue), SQLBind(transition.at.millisecondsSince1970), SQLBind(cause), SQLBind(firstResult))
                .run()
        }
        let id = try await db.insert(into: "monitor_events")
            .columns("monitor_id", "organization_id", "from_status", "to_status", "effective_at", "cause", "during_maintenance")
            .values(SQLBind(monitor.id.rawValue), SQLBind(monitor.organizationID.rawValue), SQLBind(transition.from.rawValue),
                    SQLBind(transition.to.rawValue), SQLBind(transition.at.millisecondsSince1970), SQLBind(String(transition.cause.prefix(1000))),
                    SQLBind(inMaintenance))
            .returning("id").first(decodingColumn: "id", as: Int64.self) ?? 0
        return MonitorEvent(id: id, monitorID: monitor.id, organizationID: monitor.organizationID, transition: transition, duringMaintenance: inMaintenance)
    }
}
