import Foundation
import TelltaleCore

/// The incidents an issue or a monitor is linked to, shown on its page.
struct LinkedIncidents: Sendable {
    struct Item: Sendable { var id: String; var title: String; var status: String; var severity: String; var href: String; var last: Bool }
    var items: [Item]
}

extension Dashboard {
    /// The newest incidents linked to an issue (`kind` "issue") or a monitor ("monitor"); `nil` when none.
    func linkedIncidents(kind: String, id: Int64, scope: PageScope) async throws -> LinkedIncidents? {
        let found = try await repositories.incidents.incidents(linkedTo: kind, id: id, limit: 5).filter { $0.organizationID == scope.organization.id }
        guard !found.isEmpty else { return nil }
        return LinkedIncidents(items: found.enumerated().map { index, incident in
            .init(id: incident.id.description, title: incident.title, status: incident.status.rawValue, severity: incident.severity.rawValue,
                  href: "\(scope.orgPath)/incidents/\(incident.id)/", last: index == found.count - 1)
        })
    }
}
