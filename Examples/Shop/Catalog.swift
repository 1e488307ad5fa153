import Foundation
import SQLiteNIO
import Tracing

/// The shop's products in SQLite. SQLiteNIO has no tracing of its own, so each query runs in a
/// span with the query text (PostgresNIO's spans arrive by themselves once the tracer is
/// bootstrapped); the spans become the request's database spans in Telltale.
struct Catalog: Sendable {
    let connection: SQLiteConnection

    struct Product: Sendable {
        var id: Int
        var name: String
        var priceCents: Int
        var stock: Int
    }

    static func open() async throws -> Catalog {
        let catalog = Catalog(connection: try await SQLiteConnection.open(storage: .memory))
        _ = try await catalog.query("CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price_cents INTEGER NOT NULL, stock INTEGER NOT NULL)")
        _ = try await catalog.query("CREATE TABLE reviews (id INTEGER PRIMARY KEY, product_id INTEGER NOT NULL, stars INTEGER NOT NULL)")
        for (id, name, price, stock) in [(1, "Espresso beans", 1_450, 40), (2, "Grinder", 8_900, 3), (3, "Milk jug", 1_200, 0)] {
            _ = try await catalog.query("INSERT INTO products (id, name, price_cents, stock) VALUES (?, ?, ?, ?)",
                                        [.integer(id), .text(name), .integer(price), .integer(stock)])
            for stars in [5, 4, 5] { _ = try await catalog.query("INSERT INTO reviews (product_id, stars) VALUES (?, ?)", [.integer(id), .integer(stars)]) }
        }
        return catalog
    }

    /// One query, in a client span named by its first word, with the database and the text.
    func query(_ sql: String, _ binds: [SQLiteData] = []) async throws -> [SQLiteRow] {
        try await withSpan(String(sql.prefix { $0 != " " }), ofKind: .client) { span in
            span.attributes["db.system"] = "sqlite"
            span.attributes["db.query.text"] = sql
            return try await connection.query(sql, binds)
        }
    }

    func product(_ id: Int) async throws -> Product? {
        try await query("SELECT id, name, price_cents, stock FROM products WHERE id = ?", [.integer(id)]).first.map { row in
            Product(id: row.column("id")?.integer ?? 0, name: row.column("name")?.string ?? "", priceCents: row.column("price_cents")?.integer ?? 0,
                    stock: row.column("stock")?.integer ?? 0)
        }
    }

    /// Reviews read one product at a time: the N+1 pattern Telltale's performance views point out.
    func averageStars(_ ids: [Int]) async throws -> [Int: Double] {
        var averages: [Int: Double] = [:]
        for id in ids {
            let stars = try await query("SELECT stars FROM reviews WHERE product_id = ?", [.integer(id)]).compactMap { $0.column("stars")?.integer }
            averages[id] = stars.isEmpty ? nil : Double(stars.reduce(0, +)) / Double(stars.count)
        }
        return averages
    }

    func allIDs() async throws -> [Int] {
        try await query("SELECT id FROM products ORDER BY id").compactMap { $0.column("id")?.integer }
    }
}
