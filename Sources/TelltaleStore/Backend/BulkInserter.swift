/// One value of a bulk-inserted row.
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

/// Multi-row INSERT straight through the driver, inside the current write transaction.
/// SQLKit encodes every bind through `Encodable` and a dynamic cast; on the ingest path
/// that was about a tenth of the CPU, so the hottest inserts use this instead.
public protocol BulkInserter: Sendable {
    /// Inserts `rows` (each with one cell per column); with `ignoringConflictsOn`, rows that
    /// would violate that unique key are skipped.
    func insert(into table: String, columns: [String], rows: [[SQLCell]], ignoringConflictsOn conflictColumns: [String]?) async throws
}

extension BulkInserter {
    /// The statement text with `placeholder(n)` for the n-th bind (1-based).
    static func statement(table: String, columns: [String], rowCount: Int, conflict: [String]?, placeholder: (Int) -> String) -> String {
        var text = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
        var number = 0
        for row in 0..<rowCount {
            if row > 0 { text += ", " }
            text += "("
            for column in 0..<columns.count {
                number += 1
                if column > 0 { text += ", " }
                text += placeholder(number)
            }
            text += ")"
        }
        if let conflict { text += " ON CONFLICT (\(conflict.joined(separator: ", "))) DO NOTHING" }
        return text
    }
}
