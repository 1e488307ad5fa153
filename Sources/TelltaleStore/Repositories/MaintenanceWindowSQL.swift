import Foundation
import SQLKit
public import TelltaleCore

/// Maintenance windows, stored with their schedule as JSON and their monitors in a join table.
extension StatusPageSQLRepository {
    public func createWindow(organizationID: OrganizationID, title: String, schedule: MaintenanceSchedule, monitorIDs: [MonitorID],
                             statusPageID: StatusPageID?) async throws -> MaintenanceWindow {
        let id = try await backend.write { db -> Int64 in
            guard let id = try await db.insert(into: "maintenance_windows").columns("organization_id", "title", "schedule", "status_page_id")
                .values(SQLBind(organizationID.rawValue), SQLBind(title), SQLBind(MonitorConfigCoding.encode(schedule)), SQLBind(statusPageID?.rawValue))
                .returning("id").first(decodingColumn: "id", as: Int64.self) else { throw DomainError.notFound("maintenance window") }
            try await Self.replaceWindowMonitors(db, windowID: id, monitorIDs)
            return id
        }
        return MaintenanceWindow(id: MaintenanceWindowID(id), organizationID: organizationID, title: title, schedule: schedule,
                                 monitorIDs: monitorIDs, statusPageID: statusPageID)
    }

    public func updateWindow(_ id: MaintenanceWindowID, title: String, schedule: MaintenanceSchedule, monitorIDs: [MonitorID],
                             statusPageID: StatusPageID?) async throws -> MaintenanceWindow? {
        let found = try await backend.write { db -> Bool in
            guard try await db.update("maintenance_windows").set("title", to: SQLBind(title))
                .set("schedule", to: SQLBind(MonitorConfigCoding.encode(schedule))).set("status_page_id", to: SQLBind(statusPageID?.rawValue))
                .where("id", .equal, SQLBind(id.rawValue)).returning("id").all().count > 0 else { return false }
            try await Self.replaceWindowMonitors(db, windowID: id.rawValue, monitorIDs)
            return true
        }
        guard found, let organizationID = try await windows({ $0.where("id", .equal, SQLBind(id.rawValue)) }).first?.organizationID else { return nil }
        return MaintenanceWindow(id: id, organizationID: organizationID, title: title, schedule: schedule, monitorIDs: Set(monitorIDs).sorted(), statusPageID: statusPageID)
    }

    static func replaceWindowMonitors(_ db: any SQLDatabase, windowID: Int64, _ monitorIDs: [MonitorID]) async throws {
        try await db.delete(from: "maintenance_window_monitors").where("window_id", .equal, SQLBind(windowID)).run()
        let unique = Set(monitorIDs)
        guard !unique.isEmpty else { return }
        var insert = db.insert(into: "maintenance_window_monitors").columns("window_id", "monitor_id")
        for id in unique.sorted() { insert = insert.values(SQLBind(windowID), SQLBind(id.rawValue)) }
        try await insert.run()
    }

    public func deleteWindow(_ id: MaintenanceWindowID) async throws -> Bool {
        try await backend.write { db in
            try await db.delete(from: "maintenance_windows").where("id", .equal, SQLBind(id.rawValue)).returning("id").all().count > 0
        }
    }

    public func window(id: MaintenanceWindowID) async throws -> MaintenanceWindow? {
        try await windows { $0.where("id", .equal, SQLBind(id.rawValue)) }.first
    }

    public func windows(organizationID: OrganizationID) async throws -> [MaintenanceWindow] {
        try await windows { $0.where("organization_id", .equal, SQLBind(organizationID.rawValue)) }
    }

    public func allWindows() async throws -> [MaintenanceWindow] {
        try await windows { $0 }
    }

    private func windows(_ filter: @escaping @Sendable (SQLSelectBuilder) -> SQLSelectBuilder) async throws -> [MaintenanceWindow] {
        try await backend.read { db in
            let rows = try await filter(db.select().columns("id", "organization_id", "title", "schedule", "status_page_id").from("maintenance_windows"))
                .orderBy("id").all()
            let links = try await db.select().columns("window_id", "monitor_id").from("maintenance_window_monitors").all()
            var monitors: [Int64: [MonitorID]] = [:]
            for link in links {
                monitors[try link.decode(column: "window_id", as: Int64.self), default: []].append(MonitorID(try link.decode(column: "monitor_id", as: Int64.self)))
            }
            return try rows.map { row in
                let id = try row.decode(column: "id", as: Int64.self)
                return MaintenanceWindow(
                    id: MaintenanceWindowID(id),
                    organizationID: OrganizationID(try row.decode(column: "organization_id", as: Int64.self)),
                    title: try row.decode(column: "title", as: String.self),
                    schedule: try MonitorConfigCoding.decodeSchedule(row.decode(column: "schedule", as: String.self)),
                    monitorIDs: (monitors[id] ?? []).sorted(),
                    statusPageID: try row.decode(column: "status_page_id", as: Int64?.self).map(StatusPageID.init)
                )
            }
        }
    }
}
