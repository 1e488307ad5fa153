import Testing
@testable import TelltaleStore

/// The one multi-row INSERT builder: SQLite and the direct query path take `?`, PostgreSQL
/// `$n` counted across rows; a conflict clause goes last.
@Suite("Direct statement text")
struct DirectStatementsTextTests {
    @Test("binds written ? for SQLite, one group per row")
    func questionMarks() {
        let text = DirectStatementsText.insert(table: "t", columns: ["a", "b", "c"], rowCount: 2, conflict: nil)
        #expect(text == "INSERT INTO t (a, b, c) VALUES (?, ?, ?), (?, ?, ?)")
    }

    @Test("binds numbered across rows for PostgreSQL, conflict clause last")
    func numbered() {
        let text = DirectStatementsText.insert(table: "t", columns: ["a", "b"], rowCount: 3, conflict: .ignore(columns: ["a"]), numbered: true)
        #expect(text == "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4), ($5, $6) ON CONFLICT (a) DO NOTHING")
        let one = DirectStatementsText.insert(table: "t", columns: ["a"], rowCount: 1, conflict: .update(columns: ["a"], set: "a = excluded.a"), numbered: true)
        #expect(one == "INSERT INTO t (a) VALUES ($1) ON CONFLICT (a) DO UPDATE SET a = excluded.a")
    }
}
