import Foundation
import SQLKit
import TelltaleCore

/// Row mapping for monitors and their history.
enum MonitorRows {
    static let columns = [
        "id", "organization_id", "project_id", "name", "component", "slug", "type", "config", "interval_seconds", "timeout_seconds",
        "failure_threshold", "recovery_threshold", "status", "consecutive_failures", "consecutive_successes", "streak_started_at",
        "status_since", "ping_token", "created_at", "next_check_at", "last_success_at", "run_started_at", "run_id",
    ]

    static func monitor(_ row: any SQLRow, _ cipher: SecretCipher) throws -> Monitor {
        Monitor(
            id: MonitorID(try row.decode(column: "id", as: Int64.self)),
            organizationID: OrganizationID(try row.decode(column: "organization_id", as: Int64.self)),
            projectID: try row.decode(column: "project_id", as: Int64?.self).map(ProjectID.init),
            name: try row.decode(column: "name", as: String.self),
            component: try row.decode(column: "component", as: String.self),
            slug: try row.decode(column: "slug", as: String?.self),
            target: try MonitorConfigCoding.decodeCached(type: row.decode(column: "type", as: String.self), config: row.decode(column: "config", as: String.self), open: cipher.open),
            intervalSeconds: try row.decode(column: "interval_seconds", as: Int.self),
            timeoutSeconds: try row.decode(column: "timeout_seconds", as: Int.self),
            failureThreshold: try row.decode(column: "failure_threshold", as: Int.self),
            recoveryThreshold: try row.decode(column: "recovery_threshold", as: Int.self),
            state: try state(row),
            pingToken: try row.decode(column: "ping_token", as: String?.self),
            createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self))
        )
    }

    static func state(_ row: any SQLRow) throws -> MonitorState {
        MonitorState(
            status: MonitorStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .pending,
            consecutiveFailures: try row.decode(column: "consecutive_failures", as: Int.self),
            consecutiveSuccesses: try row.decode(column: "consecutive_successes", as: Int.self),
            streakStartedAt: try row.decode(column: "streak_started_at", as: Int64?.self).map(Date.init(millisecondsSince1970:)),
            since: Date(millisecondsSince1970: try row.decode(column: "status_since", as: Int64.self))
        )
    }

    static func progress(_ row: any SQLRow) throws -> HeartbeatProgress {
        HeartbeatProgress(
            lastSuccessAt: try row.decode(column: "last_success_at", as: Int64?.self).map(Date.init(millisecondsSince1970:)),
            runStartedAt: try row.decode(column: "run_started_at", as: Int64?.self).map(Date.init(millisecondsSince1970:)),
            runID: try row.decode(column: "run_id", as: String?.self)
        )
    }

    static let resultColumns = ["id", "monitor_id", "checked_at", "verdict", "response_ms", "status_code", "message"]

    static func result(_ row: any SQLRow) throws -> MonitorResult {
        MonitorResult(
            id: try row.decode(column: "id", as: Int64.self),
            monitorID: MonitorID(try row.decode(column: "monitor_id", as: Int64.self)),
            checkedAt: Date(millisecondsSince1970: try row.decode(column: "checked_at", as: Int64.self)),
            verdict: CheckVerdict(rawValue: try row.decode(column: "verdict", as: String.self)) ?? .down,
            responseMilliseconds: try row.decode(column: "response_ms", as: Double?.self),
            statusCode: try row.decode(column: "status_code", as: Int?.self),
            message: try row.decode(column: "message", as: String.self)
        )
    }

    static let downtimeColumns = ["id", "monitor_id", "started_at", "ended_at", "cause", "first_result_id"]

    static func downtime(_ row: any SQLRow) throws -> Downtime {
        Downtime(
            id: try row.decode(column: "id", as: Int64.self),
            monitorID: MonitorID(try row.decode(column: "monitor_id", as: Int64.self)),
            start: Date(millisecondsSince1970: try row.decode(column: "started_at", as: Int64.self)),
            end: try row.decode(column: "ended_at", as: Int64?.self).map(Date.init(millisecondsSince1970:)),
            cause: try row.decode(column: "cause", as: String.self),
            firstResultID: try row.decode(column: "first_result_id", as: Int64?.self)
        )
    }

    static let eventColumns = ["id", "monitor_id", "organization_id", "from_status", "to_status", "effective_at", "cause", "during_maintenance"]

    static func event(_ row: any SQLRow) throws -> MonitorEvent {
        MonitorEvent(
            id: try row.decode(column: "id", as: Int64.self),
            monitorID: MonitorID(try row.decode(column: "monitor_id", as: Int64.self)),
            organizationID: OrganizationID(try row.decode(column: "organization_id", as: Int64.self)),
            transition: MonitorTransition(
                from: MonitorStatus(rawValue: try row.decode(column: "from_status", as: String.self)) ?? .pending,
                to: MonitorStatus(rawValue: try row.decode(column: "to_status", as: String.self)) ?? .pending,
                at: Date(millisecondsSince1970: try row.decode(column: "effective_at", as: Int64.self)),
                cause: try row.decode(column: "cause", as: String.self)
            ),
            duringMaintenance: try row.decode(column: "during_maintenance", as: Bool.self)
        )
    }

    static let pingColumns = ["id", "monitor_id", "received_at", "kind", "run_id", "duration_seconds", "body", "late"]

    static func ping(_ row: any SQLRow) throws -> Ping {
        Ping(
            id: try row.decode(column: "id", as: Int64.self),
            monitorID: MonitorID(try row.decode(column: "monitor_id", as: Int64.self)),
            receivedAt: Date(millisecondsSince1970: try row.decode(column: "received_at", as: Int64.self)),
            kind: PingKind(name: try row.decode(column: "kind", as: String.self)) ?? .success,
            runID: try row.decode(column: "run_id", as: String?.self),
            durationSeconds: try row.decode(column: "duration_seconds", as: Double?.self),
            body: try row.decode(column: "body", as: String?.self),
            late: try row.decode(column: "late", as: Bool.self)
        )
    }
}
