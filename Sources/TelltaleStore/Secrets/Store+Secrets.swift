import Foundation
import SQLKit
import TelltaleCore

/// The database names the key its secrets are sealed under; a node with another key is refused.
public struct SecretsKeyMismatch: Error, CustomStringConvertible {
    public var databaseKeyID: String
    public var nodeKeyID: String

    public var description: String {
        "this database's secrets are sealed under secrets key \(databaseKeyID), but this node has key \(nodeKeyID): "
            + "use the same secrets.key on every node (copy the first node's data directory's secrets.key, or set secrets.key), "
            + "or restore the key file that was backed up with the database"
    }
}

extension Store {
    /// Seals with `key` from now on and re-seals every stored secret that is plain or under an
    /// older key (`previous` lets rotation open those). Refused when the database's secrets are
    /// under a key this node does not have. Returns how many values were re-sealed.
    @discardableResult
    public func adoptSecretsKey(_ key: SecretsKey, previous: [SecretsKey] = []) async throws -> Int {
        secrets.use(key, previous: previous)
        secrets.setLegacy(instanceSecret: try await instanceSecret())
        return try await backend.write { db in
            let stored = try await db.select().column("value").from("instance_settings")
                .where("key", .equal, SQLBind("secrets_key_id")).first(decodingColumn: "value", as: String.self)
            if let stored, stored != key.id, !previous.contains(where: { $0.id == stored }) {
                throw SecretsKeyMismatch(databaseKeyID: stored, nodeKeyID: key.id)
            }
            // The plain values re-sealed here must not linger in freed cells of the SQLite file.
            let sqlite = backend.flavor == .sqlite
            if sqlite { try await db.raw("PRAGMA secure_delete = ON").run() }
            var resealed = 0
            for table in ["alert_channels", "forwarders", "monitors"] {
                for row in try await db.select().columns("id", "config").from(table).all() {
                    let config = try row.decode(column: "config", as: String.self)
                    guard !secrets.isCurrent(config) else { continue }
                    try await db.update(table).set("config", to: SQLBind(try secrets.resealed(config)))
                        .where("id", .equal, SQLBind(try row.decode(column: "id", as: Int64.self))).run()
                    resealed += 1
                }
            }
            for row in try await db.select().columns("id", "definition").from("runbooks").all() {
                var draft = try AlertCoding.decode(RunbookDraft.self, try row.decode(column: "definition", as: String.self))
                guard try resealRunbook(&draft) else { continue }
                try await db.update("runbooks").set("definition", to: SQLBind(AlertCoding.json(draft)))
                    .where("id", .equal, SQLBind(try row.decode(column: "id", as: Int64.self))).run()
                resealed += 1
            }
            try await db.delete(from: "instance_settings").where("key", .equal, SQLBind("secrets_key_id")).run()
            try await db.insert(into: "instance_settings").columns("key", "value").values(SQLBind("secrets_key_id"), SQLBind(key.id)).run()
            // Back to SQLite's default for the writer's other work (after a failure it merely stays on).
            if sqlite { try await db.raw("PRAGMA secure_delete = OFF").run() }
            return resealed
        }
    }

    /// Every header value and signing secret of the runbook's HTTP steps under the current key.
    private func resealRunbook(_ draft: inout RunbookDraft) throws -> Bool {
        var changed = false
        for (index, step) in draft.steps.enumerated() {
            guard case .http(var call) = step else { continue }
            for (name, value) in call.headers where !secrets.isCurrent(value) {
                call.headers[name] = try secrets.resealed(value)
                changed = true
            }
            if let secret = call.secret, !secrets.isCurrent(secret) {
                call.secret = try secrets.resealed(secret)
                changed = true
            }
            draft.steps[index] = .http(call)
        }
        return changed
    }
}
