public import Foundation
import SQLKit
public import TelltaleCore

/// Status pages, notices and maintenance windows in SQL.
public struct StatusPageSQLRepository: StatusPageRepository {
    let backend: any SQLBackend

    static let columns = ["id", "organization_id", "slug", "title", "description", "created_at"]

    public func create(organizationID: OrganizationID, slug: Slug, title: String, description: String, monitorIDs: [MonitorID], now: Date) async throws -> StatusPage {
        do {
            let id = try await backend.write { db -> Int64 in
                guard let id = try await db.insert(into: "status_pages").columns("organization_id", "slug", "title", "description", "created_at")
                    .values(SQLBind(organizationID.rawValue), SQLBind(slug.rawValue), SQLBind(title), SQLBind(description), SQLBind(now.millisecondsSince1970))
                    .returning("id").first(decodingColumn: "id", as: Int64.self) else { throw DomainError.notFound("status page") }
                try await Self.replaceMonitors(db, pageID: id, monitorIDs)
                return id
            }
            return StatusPage(id: StatusPageID(id), organizationID: organizationID, slug: slug, title: title, description: description,
                              monitorIDs: Self.unique(monitorIDs), createdAt: Date(millisecondsSince1970: now.millisecondsSince1970))
        } catch where backend.isUniqueViolation(error) {
            throw DomainError.conflict("a status page with slug '\(slug)' already exists")
        }
    }

    public func update(_ id: StatusPageID, slug: Slug, title: String, description: String, monitorIDs: [MonitorID]) async throws -> StatusPage? {
        do {
            return try await backend.write { db -> StatusPage? in
                guard let row = try await db.update("status_pages").set("slug", to: SQLBind(slug.rawValue)).set("title", to: SQLBind(title))
                    .set("description", to: SQLBind(description)).where("id", .equal, SQLBind(id.rawValue))
                    .returning("organization_id", "created_at").first() else { return nil }
                try await Self.replaceMonitors(db, pageID: id.rawValue, monitorIDs)
                return StatusPage(id: id, organizationID: OrganizationID(try row.decode(column: "organization_id", as: Int64.self)), slug: slug, title: title,
                                  description: description, monitorIDs: Self.unique(monitorIDs),
                                  createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self)))
            }
        } catch where backend.isUniqueViolation(error) {
            throw DomainError.conflict("a status page with slug '\(slug)' already exists")
        }
    }

    static func unique(_ ids: [MonitorID]) -> [MonitorID] {
        var seen = Set<MonitorID>()
        return ids.filter { seen.insert($0).inserted }
    }

    static func replaceMonitors(_ db: any SQLDatabase, pageID: Int64, _ monitorIDs: [MonitorID]) async throws {
        try await db.delete(from: "status_page_monitors").where("status_page_id", .equal, SQLBind(pageID)).run()
        let unique = unique(monitorIDs)
        guard !unique.isEmpty else { return }
        var insert = db.insert(into: "status_page_monitors").columns("status_page_id", "monitor_id", "position")
        for (position, id) in unique.enumerated() { insert = insert.values(SQLBind(pageID), SQLBind(id.rawValue), SQLBind(position)) }
        try await insert.run()
    }

    public func delete(_ id: StatusPageID) async throws -> Bool {
        try await backend.write { db in
            try await db.delete(from: "status_pages").where("id", .equal, SQLBind(id.rawValue)).returning("id").all().count > 0
        }
    }

    public func page(id: StatusPageID) async throws -> StatusPage? {
        try await pages { $0.where("id", .equal, SQLBind(id.rawValue)) }.first
    }

    public func page(slug: Slug) async throws -> StatusPage? {
        try await pages { $0.where("slug", .equal, SQLBind(slug.rawValue)) }.first
    }

    public func pages(organizationID: OrganizationID) async throws -> [StatusPage] {
        try await pages { $0.where("organization_id", .equal, SQLBind(organizationID.rawValue)) }
    }

    private func pages(_ filter: @escaping @Sendable (SQLSelectBuilder) -> SQLSelectBuilder) async throws -> [StatusPage] {
        try await backend.read { db in
            let rows = try await filter(db.select().columns(Self.columns).from("status_pages")).orderBy("title").all()
            var pages: [StatusPage] = []
            for row in rows {
                let id = try row.decode(column: "id", as: Int64.self)
                let monitors = try await db.select().column("monitor_id").from("status_page_monitors")
                    .where("status_page_id", .equal, SQLBind(id)).orderBy("position")
                    .all(decodingColumn: "monitor_id", as: Int64.self).map(MonitorID.init)
                pages.append(StatusPage(
                    id: StatusPageID(id),
                    organizationID: OrganizationID(try row.decode(column: "organization_id", as: Int64.self)),
                    slug: try Slug(row.decode(column: "slug", as: String.self)),
                    title: try row.decode(column: "title", as: String.self),
                    description: try row.decode(column: "description", as: String.self),
                    monitorIDs: monitors,
                    createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self))
                ))
            }
            return pages
        }
    }

    public func postNotice(pageID: StatusPageID, title: String, body: String, severity: StatusNotice.Severity, now: Date) async throws -> StatusNotice {
        let id = try await backend.write { db in
            try await db.insert(into: "status_notices").columns("status_page_id", "title", "body", "severity", "created_at")
                .values(SQLBind(pageID.rawValue), SQLBind(title), SQLBind(body), SQLBind(severity.rawValue), SQLBind(now.millisecondsSince1970))
                .returning("id").first(decodingColumn: "id", as: Int64.self)
        }
        guard let id else { throw DomainError.notFound("status page") }
        return StatusNotice(id: StatusNoticeID(id), statusPageID: pageID, title: title, body: body, severity: severity, createdAt: now)
    }

    public func deleteNotice(_ id: StatusNoticeID, pageID: StatusPageID) async throws -> Bool {
        try await backend.write { db in
            try await db.delete(from: "status_notices").where("id", .equal, SQLBind(id.rawValue))
                .where("status_page_id", .equal, SQLBind(pageID.rawValue)).returning("id").all().count > 0
        }
    }

    public func notices(pageID: StatusPageID, limit: Int) async throws -> [StatusNotice] {
        try await backend.read { db in
            try await db.select().columns("id", "status_page_id", "title", "body", "severity", "created_at").from("status_notices")
                .where("status_page_id", .equal, SQLBind(pageID.rawValue))
                .orderBy("created_at", .descending).orderBy("id", .descending).limit(limit)
                .all().map { row in
                    StatusNotice(
                        id: StatusNoticeID(try row.decode(column: "id", as: Int64.self)),
                        statusPageID: StatusPageID(try row.decode(column: "status_page_id", as: Int64.self)),
                        title: try row.decode(column: "title", as: String.self),
                        body: try row.decode(column: "body", as: String.self),
                        severity: StatusNotice.Severity(rawValue: try row.decode(column: "severity", as: String.self)) ?? .info,
                        createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self))
                    )
                }
        }
    }
}
