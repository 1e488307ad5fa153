import Foundation
public import SQLKit

/// One value of a row or bind for ``DirectStatements``.
public enum SQLCell: Sendable {
    case int(Int64)
    case double(Double)
    case text(String)
    case blob([UInt8])
    case bool(Bool)
    case null

    public static func text(_ value: String?) -> SQLCell { value.map(SQLCell.text) ?? .null }
    public static func int(_ value: Int64?) -> SQLCell { value.map(SQLCell.int) ?? .null }
    public static func bool(_ value: Bool?) -> SQLCell { value.map(SQLCell.bool) ?? .null }
}

/// What a multi-row insert does with a row that would violate a unique key.
public enum BulkConflict: Sendable {
    /// Skips the row.
    case ignore(columns: [String])
    /// Updates the existing row; `set` is the SET list (may use `excluded.column`).
    case update(columns: [String], set: String)

    var clause: String {
        switch self {
        case .ignore(let columns): " ON CONFLICT (\(columns.joined(separator: ", "))) DO NOTHING"
        case .update(let columns, let set): " ON CONFLICT (\(columns.joined(separator: ", "))) DO UPDATE SET \(set)"
        }
    }
}

/// Statements straight through the driver, inside the current write transaction. SQLKit
/// builds statement text from expression trees and encodes every bind through `Encodable`
/// and a dynamic cast; on the ingest path that was about a tenth of the CPU (on the one
/// writer thread), so the ingest batch's statements use this instead.
public protocol DirectStatements: Sendable {
    /// Inserts `rows` (each with one cell per column); `conflict` says what happens to rows
    /// that would violate a unique key (`nil`: the statement fails).
    func insert(into table: String, columns: [String], rows: [[SQLCell]], onConflict conflict: BulkConflict?) async throws

    /// Runs `sql`, whose binds are written `?` (and no other `?` appears), and returns its rows.
    func query(_ sql: String, _ binds: [SQLCell]) async throws -> [any SQLRow]
}

extension SQLCell {
    /// The cell as an SQLKit bind, for statements built with SQLKit rather than the direct path.
    var bind: any SQLExpression {
        switch self {
        case .int(let value): SQLBind(value)
        case .double(let value): SQLBind(value)
        case .text(let value): SQLBind(value)
        case .blob(let value): SQLBind(Data(value))
        case .bool(let value): SQLBind(value)
        case .null: SQLLiteral.null
        }
    }
}

/// Multi-row INSERT text for the direct path, one builder for both databases.
enum DirectStatementsText {
    /// Binds are written `?` (what ``DirectStatements/query(_:_:)`` and SQLite take) unless
    /// `numbered` is set: then `$1`, `$2`, … in order (PostgreSQL's own form).
    static func insert(table: String, columns: [String], rowCount: Int, conflict: BulkConflict?, numbered: Bool = false) -> String {
        var text = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
        if numbered {
            var number = 0
            for row in 0..<rowCount {
                text += row == 0 ? "(" : ", ("
                for column in 0..<columns.count {
                    number += 1
                    text += column == 0 ? "$\(number)" : ", $\(number)"
                }
                text += ")"
            }
        } else {
            let row = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
            text += Array(repeating: row, count: rowCount).joined(separator: ", ")
        }
        if let conflict { text += conflict.clause }
        return text
    }
}
