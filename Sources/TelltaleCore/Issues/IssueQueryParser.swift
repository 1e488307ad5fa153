public import Foundation

/// Parses the issue search language: `is:unresolved level:error environment:production
/// assigned:me "free text" age:-24h lastSeen:-1h times_seen:>100 !release:1.0 tags[k]:v`.
public enum IssueQueryParser {
    /// Parses `text`; relative times (`-24h`) count back from `now`.
    public static func parse(_ text: String, now: Date) throws(IssueQueryError) -> IssueQuery {
        var filters: [IssueQuery.Filter] = []
        for token in try tokens(text) {
            filters.append(try filter(token, now: now))
        }
        return IssueQuery(filters: filters)
    }

    struct Token: Equatable {
        var raw: String
        var negated: Bool
        /// `nil` for free text.
        var key: String?
        var value: String
    }

    /// Splits on spaces outside quotes and brackets; strips quotes around values.
    static func tokens(_ text: String) throws(IssueQueryError) -> [Token] {
        var result: [Token] = []
        var chars = Array(text)[...]
        while let first = chars.first {
            if first.isWhitespace { chars.removeFirst(); continue }
            var raw = ""
            var piece = ""
            var key: String?
            var quoted = false
            var depth = 0
            while let c = chars.first, quoted || depth > 0 || !c.isWhitespace {
                chars.removeFirst()
                raw.append(c)
                if quoted {
                    if c == "\\", let next = chars.first { chars.removeFirst(); raw.append(next); piece.append(next); continue }
                    if c == "\"" { quoted = false; continue }
                    piece.append(c)
                } else if c == "\"" {
                    quoted = true
                } else if c == "[" && key != nil {
                    depth += 1; piece.append(c)
                } else if c == "]" && depth > 0 {
                    depth -= 1; piece.append(c)
                } else if c == ":" && key == nil && !piece.isEmpty && !raw.hasPrefix("\"") {
                    key = piece; piece = ""
                } else {
                    piece.append(c)
                }
            }
            if quoted { throw IssueQueryError(token: raw, reason: "unterminated quote") }
            if depth > 0 { throw IssueQueryError(token: raw, reason: "unterminated '['") }
            var negated = false
            if var k = key, k.hasPrefix("!") {
                k.removeFirst(); negated = true; key = k
                if k.isEmpty { throw IssueQueryError(token: raw, reason: "'!' needs a key after it") }
            }
            if key != nil, piece.isEmpty { throw IssueQueryError(token: raw, reason: "missing value after ':'") }
            result.append(Token(raw: raw, negated: negated, key: key, value: piece))
        }
        return result
    }

    static func filter(_ token: Token, now: Date) throws(IssueQueryError) -> IssueQuery.Filter {
        guard let key = token.key else { return .text(token.value) }
        let fail = { (reason: String) in IssueQueryError(token: token.raw, reason: reason) }
        if token.value.hasPrefix("["), list(token.value).isEmpty, key != "assigned" {
            throw fail("empty list")
        }
        switch key {
        case "is":
            return try isFilter(token)
        case "assigned", "assigned_to", "assignee":
            let value = token.value.lowercased()
            let who: IssueQuery.Assignee = switch value {
            case "me": .me
            case "none", "nobody", "[]": .nobody
            default: .email(token.value)
            }
            return .assigned(who, negated: token.negated)
        case "level":
            let levels = list(token.value).map { $0.lowercased() }
            for level in levels where EventLevel(rawValue: level) == nil {
                throw fail("unknown level '\(level)' (use \(EventLevel.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return .level(levels, negated: token.negated)
        case "severity":
            let values = list(token.value).map { $0.lowercased() }
            for value in values where IssueSeverity(rawValue: value) == nil {
                throw fail("unknown severity '\(value)' (use \(IssueSeverity.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return .classification(.severity, values, negated: token.negated)
        case "impact", "business_impact":
            let values = list(token.value).map { $0.lowercased() }
            for value in values where BusinessImpact(rawValue: value) == nil {
                throw fail("unknown impact '\(value)' (use \(BusinessImpact.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return .classification(.impact, values, negated: token.negated)
        case "category":
            return .classification(.category, list(token.value).map { $0.lowercased() }, negated: token.negated)
        case "times_seen", "timesSeen", "count", "events":
            return try count(.timesSeen, token)
        case "users", "user_count", "userCount":
            return try count(.userCount, token)
        case "age", "firstSeen", "first_seen":
            return try time(.firstSeen, token, now: now)
        case "lastSeen", "last_seen":
            return try time(.lastSeen, token, now: now)
        default:
            var tagKey = key
            if key.hasPrefix("tags[") && key.hasSuffix("]") { tagKey = String(key.dropFirst(5).dropLast()) }
            guard !tagKey.isEmpty, tagKey.count <= 200, tagKey.allSatisfy({ $0.isLetter || $0.isNumber || "_.-:".contains($0) }) else {
                throw fail("'\(key)' is not a search key or tag name")
            }
            return .tag(key: tagKey, values: list(token.value), negated: token.negated)
        }
    }

    static func isFilter(_ token: Token) throws(IssueQueryError) -> IssueQuery.Filter {
        switch token.value.lowercased() {
        case "unresolved": return .status(IssueStatus.allCases.filter(\.isUnresolved), negated: token.negated)
        case "assigned": return .assigned(.anybody, negated: token.negated)
        case "unassigned": return .assigned(.nobody, negated: token.negated)
        case "regressed": return .status([.recurring], negated: token.negated)
        case "archived", "muted": return .status([.ignored], negated: token.negated)
        default:
            guard let status = IssueStatus(rawValue: token.value.lowercased()) else {
                let known = ["unresolved", "assigned", "unassigned"] + IssueStatus.allCases.map(\.rawValue)
                throw IssueQueryError(token: token.raw, reason: "unknown status '\(token.value)' (use \(known.joined(separator: ", ")))")
            }
            return .status([status], negated: token.negated)
        }
    }

    /// `[a, b]` or `a`.
    static func list(_ value: String) -> [String] {
        guard value.hasPrefix("["), value.hasSuffix("]") else { return [value] }
        return value.dropFirst().dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func comparison(_ value: String) -> (IssueQuery.Comparison, Substring) {
        for op in [IssueQuery.Comparison.greaterOrEqual, .lessOrEqual, .greater, .less, .equal] where value.hasPrefix(op.rawValue) {
            return (op, value.dropFirst(op.rawValue.count))
        }
        return (.equal, value[...])
    }

    static func count(_ column: IssueQuery.Count, _ token: Token) throws(IssueQueryError) -> IssueQuery.Filter {
        let (op, rest) = comparison(token.value)
        var number = rest.lowercased()
        var scale: Int64 = 1
        if number.hasSuffix("k") { scale = 1_000; number.removeLast() } else if number.hasSuffix("m") { scale = 1_000_000; number.removeLast() }
        guard let n = Int64(number), n >= 0 else {
            throw IssueQueryError(token: token.raw, reason: "'\(rest)' is not a whole number")
        }
        // `7135555555555555555m` must be refused, not overflow (found by fuzzing).
        let (scaled, overflow) = n.multipliedReportingOverflow(by: scale)
        guard !overflow else { throw IssueQueryError(token: token.raw, reason: "'\(rest)' is too large") }
        return .count(column, op, scaled)
    }

    /// `-24h` (within the last 24 hours), `+7d` (longer ago), or a comparison with a date.
    static func time(_ column: IssueQuery.Moment, _ token: Token, now: Date) throws(IssueQueryError) -> IssueQuery.Filter {
        let value = token.value
        if let sign = value.first, sign == "-" || sign == "+" {
            guard let seconds = duration(value.dropFirst()) else {
                throw IssueQueryError(token: token.raw, reason: "'\(value)' is not a duration like -24h, -7d, +30m or -2w")
            }
            let edge = now.addingTimeInterval(-seconds)
            return .time(column, sign == "-" ? .greaterOrEqual : .less, edge)
        }
        let (op, rest) = comparison(value)
        let text = rest.count == 10 ? rest + "T00:00:00Z" : String(rest)
        guard let seconds = Timestamps.parseRFC3339(String(text)) else {
            throw IssueQueryError(token: token.raw, reason: "'\(rest)' is not a date (2026-01-31 or 2026-01-31T12:00:00Z) or a duration (-24h)")
        }
        return .time(column, op, Date(timeIntervalSince1970: seconds))
    }

    /// Seconds, up to a hundred years: a longer span (or `1e400d`) is no time any row has.
    static func duration(_ text: Substring) -> Double? {
        guard let unit = text.last, let amount = Double(text.dropLast()), amount >= 0, amount.isFinite else { return nil }
        let scale: Double
        switch unit {
        case "s": scale = 1
        case "m": scale = 60
        case "h": scale = 3_600
        case "d": scale = 86_400
        case "w": scale = 604_800
        default: return nil
        }
        let seconds = amount * scale
        return seconds <= 100 * 365.25 * 86_400 ? seconds : nil
    }
}
