import Foundation

/// Names that group: transaction names with ids collapsed, and span descriptions reduced to
/// what they do (a query without its literals, an HTTP call by host and route, a cache
/// command, a task name).
public enum SpanGrouping {
    /// The longest name kept.
    static let maxLength = 200

    /// A transaction name as it groups. Route names (`source` route, view, component, task)
    /// are kept; raw URLs have numeric ids, UUIDs and hashes collapsed to placeholders.
    public static func transactionName(_ name: String, source: String?) -> String {
        switch source {
        case "route", "view", "component", "task", "custom": return String(name.prefix(maxLength))
        default: return String(path(name).prefix(maxLength))
        }
    }

    /// Replaces path segments that are identifiers with `{id}`, `{uuid}` or `{hash}`.
    public static func path(_ path: String) -> String {
        let (base, query) = split(path, at: "?")
        let parts = base.split(separator: "/", omittingEmptySubsequences: false).map { segment -> String in
            placeholder(for: Substring(segment)) ?? String(segment)
        }
        _ = query
        return parts.joined(separator: "/")
    }

    static func split(_ text: String, at separator: Character) -> (String, String?) {
        guard let index = text.firstIndex(of: separator) else { return (text, nil) }
        return (String(text[..<index]), String(text[text.index(after: index)...]))
    }

    static func placeholder(for segment: Substring) -> String? {
        guard !segment.isEmpty else { return nil }
        let bytes = Array(segment.utf8)
        let digits = bytes.filter { $0 >= 48 && $0 <= 57 }.count
        if digits == bytes.count { return "{id}" }
        let isHex = bytes.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) || $0 == 45 }
        if isHex, bytes.count == 36, bytes.filter({ $0 == 45 }).count == 4 { return "{uuid}" }
        if isHex, bytes.count >= 16, digits > 0 { return "{hash}" }
        // Long tokens mixing letters and many digits (order numbers, slugs with ids).
        if bytes.count >= 8, digits * 2 >= bytes.count { return "{id}" }
        return nil
    }

    /// A span's group: its op family and a description with the variable parts removed.
    public static func spanDescription(op: String, description: String?) -> String {
        let text = description ?? ""
        let family = op.split(separator: ".").first.map(String.init) ?? op
        switch family {
        case "db" where op == "db.redis": return command(text)
        case "db": return String(sql(text).prefix(maxLength))
        case "http": return String(http(text).prefix(maxLength))
        case "cache": return command(text)
        case "celery", "queue", "task", "function": return String(text.prefix(maxLength))
        default: return String(sql(text).prefix(maxLength))
        }
    }

    /// The first word, upper-cased (`GET`, `SET`, `HGETALL`).
    static func command(_ text: String) -> String {
        let word = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).first.map(String.init) ?? ""
        return word.uppercased()
    }

    /// `GET https://api.example.com/users/42?x=1` → `GET api.example.com/users/{id}`.
    static func http(_ text: String) -> String {
        let parts = text.split(separator: " ", maxSplits: 1)
        guard parts.count == 2 else { return path(text) }
        var url = String(parts[1])
        for scheme in ["https://", "http://"] where url.hasPrefix(scheme) { url.removeFirst(scheme.count) }
        return "\(parts[0]) \(path(url))"
    }

    /// A statement with its literals replaced: strings and numbers by `%s`, `IN (…)` lists
    /// by one `%s`, whitespace collapsed.
    public static func sql(_ statement: String) -> String {
        var out: [UInt8] = []
        let b = Array(statement.utf8)
        out.reserveCapacity(b.count)
        var i = 0
        func isWord(_ c: UInt8) -> Bool { (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 || c >= 0x80 }
        while i < b.count {
            let c = b[i]
            if c == 39 { // 'string' with '' escapes
                i += 1
                while i < b.count {
                    if b[i] == 39 { if i + 1 < b.count, b[i + 1] == 39 { i += 2; continue }; break }
                    i += 1
                }
                i += 1
                out += Array("%s".utf8)
                continue
            }
            if c >= 48, c <= 57, out.last.map({ !isWord($0) }) ?? true {
                while i < b.count, isWord(b[i]) || b[i] == 46 { i += 1 }
                out += Array("%s".utf8)
                continue
            }
            if c == 32 || c == 10 || c == 9 || c == 13 {
                if out.last != 32 { out.append(32) }
                i += 1
                continue
            }
            if c == 36, i + 1 < b.count, b[i + 1] >= 48, b[i + 1] <= 57 { // $1 placeholders
                i += 1
                while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1 }
                out += Array("%s".utf8)
                continue
            }
            out.append(c)
            i += 1
        }
        let text = String(decoding: out, as: UTF8.self).trimmingCharacters(in: CharacterSet(charactersIn: " ;\n\t"))
        return collapseLists(text)
    }

    /// `IN (%s, %s, %s)` → `IN (%s)`; a VALUES list of placeholders likewise.
    static func collapseLists(_ text: String) -> String {
        var result = text
        for placeholder in ["?", "%s"] {
            let repeated = "\(placeholder), \(placeholder)"
            let tight = "\(placeholder),\(placeholder)"
            while result.contains(repeated) { result = result.replacingOccurrences(of: repeated, with: placeholder) }
            while result.contains(tight) { result = result.replacingOccurrences(of: tight, with: placeholder) }
        }
        return result
    }
}
