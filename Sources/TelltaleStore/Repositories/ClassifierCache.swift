import Foundation
import SQLKit
import TelltaleCore

/// The classification rules a write batch needs, read once per organization and only when the
/// batch opens an issue: events of known issues, nearly all of them, pay nothing.
struct ClassifierCache {
    struct Rules {
        var rules: [ClassificationRule]
        var calendars: [BusinessCalendarID: BusinessCalendar]
    }

    var organizations: [ProjectID: OrganizationID] = [:]
    var rules: [OrganizationID: Rules] = [:]

    /// The classification of an issue opened by `event`.
    mutating func classify(_ event: EventRecord, db: any SQLDatabase) async throws -> Classification {
        let organizationID: OrganizationID
        if let known = organizations[event.projectID] {
            organizationID = known
        } else {
            let found = try await db.select().column("organization_id").from("projects").where("id", .equal, SQLBind(event.projectID.rawValue))
                .first(decodingColumn: "organization_id", as: Int64.self)
            organizationID = OrganizationID(found ?? 0)
            organizations[event.projectID] = organizationID
        }
        if rules[organizationID] == nil { rules[organizationID] = try await Self.load(organizationID, db: db) }
        let loaded = rules[organizationID]!
        return Classifier.classify(Self.input(event.summary), rules: loaded.rules, calendars: loaded.calendars)
    }

    static func input(_ summary: EventSummary) -> ClassificationInput {
        ClassificationInput(type: summary.exceptionType ?? "", message: summary.message ?? summary.title, module: summary.culprit, transaction: summary.transaction,
                            level: summary.level, handled: summary.handled, tags: summary.tags, at: Date(timeIntervalSince1970: summary.timestamp))
    }

    static func load(_ organizationID: OrganizationID, db: any SQLDatabase) async throws -> Rules {
        let rules = try await ClassificationSQL.rules(organizationID, db: db)
        let ids = Set(rules.flatMap(\.draft.calendarIDs))
        guard !ids.isEmpty else { return Rules(rules: rules, calendars: [:]) }
        let calendars = try await AlertSQLRepository.calendars(organizationID, db: db).filter { ids.contains($0.id) }
        return Rules(rules: rules, calendars: Dictionary(uniqueKeysWithValues: calendars.map { ($0.id, $0) }))
    }
}
