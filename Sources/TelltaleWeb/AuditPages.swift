import Foundation
import Hummingbird
import TelltaleCore
import TelltaleHTTP

/// The organization's audit log for its owners and admins: newest first, filtered by actor and
/// action, a hundred entries a page. Read-only: nothing here or anywhere deletes an entry.
extension Dashboard {
    struct AuditView {
        struct Row {
            struct Change { var field: String; var before: String; var after: String }
            var time: String
            var iso: String
            var actor: String
            var action: String
            var target: String
            var changes: [Change]
            var hasChanges: Bool
            var address: String
            var userAgent: String
        }
        var chrome: Chrome
        var orgPath: String
        var actor: String
        var action: String
        var rows: [Row]
        var hasRows: Bool
        var olderHref: String?
    }

    func addAuditRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        router.get("organizations/:org/settings/audit-log/") { request, context -> Response in
            let scope = try await scope(context.parameters.require("org"), context, .manage, section: .settings)
            let query = Form.query(of: request)
            let limit = 100
            let filter = AuditFilter(organizationID: scope.organization.id, actor: query.text("actor"), action: query.text("action"),
                                     beforeID: query.text("cursor").flatMap(Int64.init), limit: limit)
            let entries = try await repositories.audit.entries(filter)
            let rows = entries.map { entry in
                let changes = entry.changes.prefix(20).map { AuditView.Row.Change(field: $0.field, before: $0.before ?? "—", after: $0.after ?? "—") }
                return AuditView.Row(time: WebFormat.timestamp(entry.at), iso: ISO8601DateFormatter().string(from: entry.at), actor: entry.actor,
                              action: entry.action, target: [entry.targetType, entry.targetID].compactMap { $0 }.joined(separator: " "),
                              changes: changes, hasChanges: !changes.isEmpty,
                              address: entry.address ?? "", userAgent: entry.userAgent ?? "")
            }
            var older: String?
            if entries.count == limit, let last = entries.last {
                var items = [URLQueryItem(name: "cursor", value: String(last.id))]
                if let actor = filter.actor { items.append(URLQueryItem(name: "actor", value: actor)) }
                if let action = filter.action { items.append(URLQueryItem(name: "action", value: action)) }
                var components = URLComponents()
                components.queryItems = items
                older = "\(scope.orgPath)/settings/audit-log/\(components.string ?? "")"
            }
            return templates.page("audit", AuditView(chrome: scope.chrome, orgPath: scope.orgPath, actor: filter.actor ?? "", action: filter.action ?? "",
                                                     rows: rows, hasRows: !rows.isEmpty, olderHref: older))
        }
    }
}
