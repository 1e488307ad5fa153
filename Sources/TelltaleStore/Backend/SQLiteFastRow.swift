import Foundation
import SQLKit
import SQLiteKit
import SQLiteNIO

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
