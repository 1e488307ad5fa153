import Foundation
import SQLKit
import SQLiteKit
import SQLiteNIO
import VaporCSQLite

/// An SQLite row for the direct path that reads integers, reals, text and their optionals
/// without going through `Decodable`: SQLiteKit decodes an optional through a nested decoder,
/// and on the ping path (a monitor row of 25 columns per ping, on the writer's thread) that
/// was a tenth of the writer's time. Anything else falls back to SQLiteKit's decoder.
struct SQLiteFastRow: SQLRow {
    let row: SQLiteRow
    let decoder: SQLiteDataDecoder

    var allColumns: [String] { row.columns.map(\.name) }

    func contains(column: String) -> Bool { row.column(column) != nil }

    func decodeNil(column: String) throws -> Bool {
        guard let data = row.column(column) else { return true }
        return data == .null
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let data = row.column(column) else { throw MissingColumn(column: column) }
        return try Self.decode(data, as: type, decoder: decoder)
    }

    /// `data` as `type`, the common types read directly.
    static func decode<D: Decodable>(_ data: SQLiteData, as type: D.Type, decoder: SQLiteDataDecoder) throws -> D {
        switch (data, type) {
        case (.integer(let value), is Int64.Type), (.integer(let value), is Int64?.Type): return Int64(value) as! D
        case (.integer(let value), is Int.Type), (.integer(let value), is Int?.Type): return Int(value) as! D
        case (.text(let value), is String.Type), (.text(let value), is String?.Type): return value as! D
        case (.float(let value), is Double.Type), (.float(let value), is Double?.Type): return value as! D
        case (.integer(let value), is Double.Type), (.integer(let value), is Double?.Type): return Double(value) as! D
        case (.null, is Int64?.Type): return Int64?.none as! D
        case (.null, is Int?.Type): return Int?.none as! D
        case (.null, is String?.Type): return String?.none as! D
        case (.null, is Double?.Type): return Double?.none as! D
        case (.blob(let buffer), is Data.Type): return Data(buffer.readableBytesView) as! D
        default: return try decoder.decode(D.self, from: data)
        }
    }

    struct MissingColumn: Error {
        let column: String
    }
}

/// A row the writer connection read (``SQLiteWriterConnection``), decoded as ``SQLiteFastRow`` is.
struct SQLiteWriterRow: SQLRow, Sendable {
    /// The statement's column names, shared by its rows.
    final class Columns: Sendable {
        let names: [String]

        init(_ statement: OpaquePointer) {
            names = (0..<sqlite_nio_sqlite3_column_count(statement)).map { String(cString: sqlite_nio_sqlite3_column_name(statement, $0)) }
        }

        /// The first column named `name`; a row has a few dozen columns at most.
        func index(_ name: String) -> Int? { names.firstIndex(of: name) }
    }

    let columns: Columns
    let values: [SQLiteData]

    var allColumns: [String] { columns.names }

    func contains(column: String) -> Bool { columns.index(column) != nil }

    func decodeNil(column: String) throws -> Bool {
        guard let index = columns.index(column) else { return true }
        return values[index] == .null
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let index = columns.index(column) else { throw SQLiteFastRow.MissingColumn(column: column) }
        return try SQLiteFastRow.decode(values[index], as: type, decoder: SQLiteDataDecoder())
    }
}
