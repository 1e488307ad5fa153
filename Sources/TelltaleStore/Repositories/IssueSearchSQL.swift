import Foundation
import SQLKit
import TelltaleCore

/// Turns an ``IssueQuery`` into SQL conditions on `issues` and pages by keyset cursor
/// (`<sort value>:<id>`), so a page costs the same at any depth.
struct IssueSearchSQL {
    let flavor: SQLFlavor
    let search: IssueSearch

    var sortColumn: String {
        switch search.sort {
        case .date: "last_seen"
        case .new: "first_seen"
        case .freq: "times_seen"
        case .user: "user_count"
        }
    }

    func conditions() throws(IssueQueryError) -> [SQLQueryString] {
        let projects = search.projectIDs.map(\.rawValue)
        var result: [SQLQueryString] = ["project_id IN \(group: projects)", "merged_into IS NULL"]
        for filter in search.query.filters {
            result.append(condition(filter, projects: projects))
        }
        if let cursor = search.cursor {
            let (value, id) = try KeysetCursor.parse(cursor)
            result.append("(\(unsafeRaw: sortColumn) < \(bind: value) OR (\(unsafeRaw: sortColumn) = \(bind: value) AND id < \(bind: id)))")
        }
        return result
    }

    func condition(_ filter: IssueQuery.Filter, projects: [Int64]) -> SQLQueryString {
        switch filter {
        case .status(let statuses, let negated):
            return "status \(unsafeRaw: negated ? "NOT IN" : "IN") \(group: statuses.map(\.rawValue))"
        case .level(let levels, let negated):
            return "level \(unsafeRaw: negated ? "NOT IN" : "IN") \(group: levels)"
        case .classification(let field, let values, let negated):
            // An unclassified issue matches no value, and every negated one.
            return negated ? "(\(ident: field.rawValue) IS NULL OR \(ident: field.rawValue) NOT IN \(group: values))"
                           : "\(ident: field.rawValue) IN \(group: values)"
        case .assigned(let who, let negated):
            let positive: SQLQueryString = switch who {
            case .me: "assigned_to = \(bind: search.user.rawValue)"
            case .nobody: "assigned_to IS NULL"
            case .anybody: "assigned_to IS NOT NULL"
            case .email(let email): "assigned_to IN (SELECT id FROM users WHERE lower(email) = \(bind: email.lowercased()))"
            }
            return negated ? "NOT COALESCE((\(positive)), \(unsafeRaw: flavor.falseLiteral))" : positive
        case .count(let column, let op, let n):
            return "\(unsafeRaw: column.rawValue) \(unsafeRaw: op.rawValue) \(bind: n)"
        case .time(let column, let op, let date):
            return "\(unsafeRaw: column.rawValue) \(unsafeRaw: op.rawValue) \(bind: date.millisecondsSince1970)"
        case .tag(let key, let values, let negated):
            return """
                id \(unsafeRaw: negated ? "NOT IN" : "IN") (SELECT issue_id FROM issue_tags WHERE project_id IN \(group: projects) \
                AND key = \(bind: key) AND value IN \(group: values))
                """
        case .text(let text):
            let pattern = "%" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                .replacingOccurrences(of: "_", with: "\\_") + "%"
            let like = flavor == .postgres ? "ILIKE" : "LIKE"
            return "(title \(unsafeRaw: like) \(bind: pattern) ESCAPE '\\' OR culprit \(unsafeRaw: like) \(bind: pattern) ESCAPE '\\')"
        }
    }

    /// The cursor that continues after `issue`.
    func cursor(after issue: Issue) -> String {
        let value: Int64 = switch search.sort {
        case .date: issue.lastSeen.millisecondsSince1970
        case .new: issue.firstSeen.millisecondsSince1970
        case .freq: issue.timesSeen
        case .user: issue.userCount
        }
        return KeysetCursor.format(value, issue.id)
    }
}

extension SQLQueryString {
    /// `(?, ?, …)` with one bind per value (never empty: callers check).
    mutating func appendInterpolation<Value: Encodable & Sendable>(group values: [Value]) {
        appendInterpolation(SQLGroupExpression(SQLList(values.map { SQLBind($0) })))
    }
}
