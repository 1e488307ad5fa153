import Foundation
import NIOCore
import SQLiteNIO
import Synchronization
import Testing
@testable import TelltaleStore

/// The SQLite writer connection keeps prepared statements per text: a kept statement must
/// run with each call's own binds, never a previous call's, and failures must leave it usable.
@Suite("SQLite writer connection")
struct SQLiteWriterConnectionTests {
    static func withConnection(_ body: (SQLiteWriterConnection) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-writer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let connection = try SQLiteWriterConnection(path: directory.appendingPathComponent("test.db").path)
        defer { connection.close() }
        try body(connection)
    }

    @Test("a kept statement runs with each call's binds; text, blobs (empty ones too), reals and NULL read back as written")
    func bindsAndValues() throws {
        try Self.withConnection { db in
            _ = try db.query("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, data BLOB, score REAL, note TEXT)", [SQLCell]())
            let insert = "INSERT INTO t (id, name, data, score, note) VALUES (?, ?, ?, ?, ?)"
            _ = try db.query(insert, [SQLCell.int(1), .text("héllo"), .blob([1, 2, 3]), .double(1.5), .text("x")])
            _ = try db.query(insert, [SQLCell.int(2), .text(""), .blob([]), .double(-2), .null])
            _ = try db.query(insert, [SQLiteData.integer(3), .text("third"), .blob(ByteBuffer(bytes: [9])), .float(0), .null])
            let rows = try db.query("SELECT id, name, data, score, note, typeof(data) AS kind FROM t WHERE id >= ? ORDER BY id", [SQLCell.int(1)])
            #expect(rows.count == 3)
            #expect(try rows[0].decode(column: "name", as: String.self) == "héllo")
            #expect(try rows[0].decode(column: "data", as: Data.self) == Data([1, 2, 3]))
            #expect(try rows[0].decode(column: "score", as: Double.self) == 1.5)
            #expect(try rows[1].decode(column: "name", as: String.self) == "")
            #expect(try rows[1].decode(column: "kind", as: String.self) == "blob")
            #expect(try rows[1].decode(column: "data", as: Data.self) == Data())
            #expect(try rows[1].decodeNil(column: "note"))
            #expect(try rows[2].decode(column: "id", as: Int64.self) == 3)
            #expect(try rows[2].decode(column: "data", as: Data.self) == Data([9]))
            // The same text again, with other binds: no row of the earlier call comes back.
            let later = try db.query("SELECT id, name, data, score, note, typeof(data) AS kind FROM t WHERE id >= ? ORDER BY id", [SQLCell.int(3)])
            #expect(later.map { try? $0.decode(column: "id", as: Int.self) } == [3])
        }
    }

    @Test("a unique violation is recognised and the kept statement works after it; a statement that does not parse fails with SQLite's message")
    func failures() throws {
        try Self.withConnection { db in
            _ = try db.query("CREATE TABLE u (key TEXT PRIMARY KEY)", [SQLCell]())
            let insert = "INSERT INTO u (key) VALUES (?)"
            _ = try db.query(insert, [SQLCell.text("a")])
            let duplicate = #expect(throws: SQLiteWriteError.self) { try db.query(insert, [SQLCell.text("a")]) }
            #expect(duplicate?.isUniqueViolation == true)
            _ = try db.query(insert, [SQLCell.text("b")])
            #expect(try db.query("SELECT count(*) AS n FROM u", [SQLCell]())[0].decode(column: "n", as: Int.self) == 2)
            let syntax = #expect(throws: SQLiteWriteError.self) { try db.query("SELEC 1", [SQLCell]()) }
            #expect(syntax?.message.contains("syntax error") == true)
        }
    }

    @Test("more distinct statements than are kept: the least recently used are dropped and prepared again when needed")
    func eviction() throws {
        try Self.withConnection { db in
            for round in 0..<2 {
                for n in 0..<(SQLiteWriterConnection.cachedStatements + 20) {
                    let row = try db.query("SELECT ? + \(n) AS v", [SQLCell.int(Int64(round))])[0]
                    #expect(try row.decode(column: "v", as: Int.self) == n + round)
                }
            }
        }
    }

    @Test("large statements are kept only up to the memory budget, and each still gives its own answer")
    func memoryBudget() throws {
        try Self.withConnection { db in
            for n in 0..<40 {
                // 1,000 placeholders: a program of a few hundred KiB, as a large batch's insert is.
                let sql = "SELECT " + (0..<1000).map { "? + \($0 + n)" }.joined(separator: ", ") + " AS last"
                let row = try db.query(sql, (0..<1000).map { _ in SQLCell.int(1) })[0]
                #expect(try row.decode(column: "last", as: Int.self) == 1000 + n)
                #expect(db.keptStatementBytes <= SQLiteWriterConnection.cachedBytes)
            }
            #expect(db.keptStatementBytes > 0)
        }
    }

    @Test("schema changes and pragmas run once and are not kept; other statements are")
    func runOnce() throws {
        try Self.withConnection { db in
            _ = try db.query("PRAGMA journal_mode=WAL", [SQLCell]())
            _ = try db.query(" create table r (v INTEGER)", [SQLCell]())
            _ = try db.query("CREATE INDEX r_v ON r (v)", [SQLCell]())
            #expect(db.keptStatementBytes == 0)
            _ = try db.query("INSERT INTO r (v) VALUES (?)", [SQLCell.int(1)])
            #expect(db.keptStatementBytes > 0)
        }
    }

    @Test("a registered function is called with its argument from a trigger inside the statement")
    func function() throws {
        let seen = Mutex<[String?]>([])
        try Self.withConnection { db in
            try db.install(function: "note_it") { text in seen.withLock { $0.append(text) } }
            _ = try db.query("CREATE TABLE f (v TEXT)", [SQLCell]())
            _ = try db.query("CREATE TEMP TRIGGER f_added AFTER INSERT ON main.f BEGIN SELECT note_it(NEW.v); END", [SQLCell]())
            _ = try db.query("INSERT INTO f (v) VALUES (?), (?)", [SQLCell.text("one"), .null])
        }
        #expect(seen.withLock { $0 } == ["one", nil])
    }
}
