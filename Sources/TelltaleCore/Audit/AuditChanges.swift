/// The changed fields between two flattened views of a thing, with secrets masked.
public enum AuditChanges {
    /// What a secret's value reads as in the log: only that it was set or changed.
    public static let masked = "[masked]"

    /// Field names whose values are secrets (matched anywhere in the name, case-insensitively).
    static let secretWords = ["password", "secret", "token", "api_key", "apikey", "authorization", "private_key", "credential",
                              "webhook_url", "routing_key", "integration_key", "connection", "cookie", "dsn", "signing", "smtp_url"]

    public static func isSecret(_ field: String) -> Bool {
        let name = field.lowercased()
        return secretWords.contains { name.contains($0) }
    }

    /// Whether JSON text names a secret field somewhere inside.
    public static func secretWordsIn(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return secretWords.contains { lowered.contains("\"\($0)") || lowered.contains("_\($0)") }
    }

    /// Fields whose value differs, in name order; ones that only exist on one side included.
    public static func diff(before: [String: String], after: [String: String]) -> [AuditChange] {
        Set(before.keys).union(after.keys).sorted().compactMap { field in
            let (old, new) = (before[field], after[field])
            guard old != new else { return nil }
            guard isSecret(field) else { return AuditChange(field: field, before: old, after: new) }
            return AuditChange(field: field, before: old.map { _ in masked }, after: new.map { _ in masked })
        }
    }

    /// Submitted fields (a dashboard form) as changes from nothing, secrets masked.
    public static func submitted(_ fields: [(String, String)]) -> [AuditChange] {
        var seen = Set<String>()
        return fields.compactMap { name, value in
            guard !name.hasPrefix("_"), name != "csrf", seen.insert(name).inserted else { return nil }
            return AuditChange(field: name, before: nil, after: isSecret(name) && !value.isEmpty ? masked : String(value.prefix(500)))
        }
    }
}
