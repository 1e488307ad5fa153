/// Well-known credential formats and personal data inside free text.
extension SecretScanner {
    /// A credential in a documented format starting at `i` (case-sensitive, on a word
    /// boundary): the whole token becomes `[Filtered]`.
    mutating func credential(at i: Int) -> Int? {
        guard boundary(i), let end = credentialEnd(at: i) else { return nil }
        guard end >= input.count || !ASCII.isAlnum(input[end]) else { return nil }
        return replace(keepingUpTo: i, through: end, with: Self.filtered)
    }

    /// Where a credential starting at `i` ends, or `nil` when none starts there.
    func credentialEnd(at i: Int) -> Int? {
        switch input[i] {
        case UInt8(ascii: "A"):
            // AWS access key ids (AKIA…, ASIA… and 16 more) and Google API keys (AIza… and 35 more).
            if has("AKIA", at: i) || has("ASIA", at: i) { return run(from: i + 4, exactly: 16, Self.isUpperOrDigit) }
            if has("AIza", at: i) { return run(from: i + 4, exactly: 35, Self.isKeyByte) }
        case UInt8(ascii: "g"):
            // GitHub tokens: ghp_/gho_/ghu_/ghs_/ghr_ and 36 more; fine-grained github_pat_…
            if has("github_pat_", at: i) { return run(from: i + 11, atLeast: 22, Self.isKeyByte) }
            if has("gh", at: i), i + 3 < input.count, "pousr".utf8.contains(input[i + 2]), input[i + 3] == UInt8(ascii: "_") {
                return run(from: i + 4, atLeast: 36, ASCII.isAlnum)
            }
        case UInt8(ascii: "x"):
            // Slack tokens: xoxb-, xoxp-, xoxa-, xoxo-, xoxs-, xoxr- and more.
            if has("xox", at: i), i + 4 < input.count, "abposr".utf8.contains(input[i + 3]), input[i + 4] == UInt8(ascii: "-") {
                return run(from: i + 5, atLeast: 10, { ASCII.isAlnum($0) || $0 == UInt8(ascii: "-") })
            }
        case UInt8(ascii: "s"), UInt8(ascii: "r"):
            // Stripe secret and restricted keys, live and test.
            if i + 8 <= input.count, input[i + 1] == UInt8(ascii: "k"), has("_live_", at: i + 2) || has("_test_", at: i + 2) {
                return run(from: i + 8, atLeast: 16, ASCII.isAlnum)
            }
        case UInt8(ascii: "e"):
            // JSON Web Tokens: three base64url parts, the first a JSON object ("eyJ").
            guard has("eyJ", at: i), var end = run(from: i, atLeast: 10, Self.isBase64URL) else { return nil }
            for _ in 0..<2 {
                guard end < input.count, input[end] == UInt8(ascii: "."), let next = run(from: end + 1, atLeast: 10, Self.isBase64URL) else { return nil }
                end = next
            }
            return end
        default:
            break
        }
        return nil
    }

    /// An email address or a phone number starting at `i`: `[email]`, `[phone]`.
    mutating func personal(at i: Int, emails: Bool) -> Int? {
        guard boundary(i) else { return nil }
        if emails, let end = emailEnd(at: i) { return replace(keepingUpTo: i, through: end, with: Self.email) }
        if let end = phoneEnd(at: i) { return replace(keepingUpTo: i, through: end, with: Self.phone) }
        return nil
    }

    /// `local@domain.tld`: a local part of up to 64 bytes, labels separated by dots, a
    /// top-level domain of two or more letters.
    func emailEnd(at i: Int) -> Int? {
        guard ASCII.isAlnum(input[i]) else { return nil }
        var j = i
        while j < input.count, j - i <= 64, ASCII.isAlnum(input[j]) || "._%+-".utf8.contains(input[j]) { j += 1 }
        guard j < input.count, input[j] == UInt8(ascii: "@") else { return nil }
        j += 1
        var labelStart = j
        var lastLabel = 0..<0
        var dots = 0
        while j < input.count {
            let c = input[j]
            if ASCII.isAlnum(c) || c == UInt8(ascii: "-") {
                j += 1
            } else if c == UInt8(ascii: "."), j > labelStart, j + 1 < input.count, ASCII.isAlnum(input[j + 1]) {
                dots += 1
                j += 1
                labelStart = j
            } else {
                break
            }
            lastLabel = labelStart..<j
        }
        guard dots >= 1, lastLabel.count >= 2, input[lastLabel].allSatisfy({ $0 | 0x20 >= 97 && $0 | 0x20 <= 122 }) else { return nil }
        return j
    }

    /// `+` and 8–15 digits (spaces, dots, dashes and parentheses between), or a North American
    /// `(555) 123-4567`, `555-123-4567`, `555.123.4567`.
    func phoneEnd(at i: Int) -> Int? {
        let c = input[i]
        if c == UInt8(ascii: "+") {
            var j = i + 1
            var digits = 0
            var end = i
            while j < input.count, digits < 16 {
                if ASCII.isDigit(input[j]) {
                    digits += 1
                    j += 1
                    end = j
                } else if " .-()".utf8.contains(input[j]), j + 1 < input.count, ASCII.isDigit(input[j + 1]) || input[j + 1] == UInt8(ascii: "(") {
                    j += 1
                } else {
                    break
                }
            }
            guard i + 1 < input.count, ASCII.isDigit(input[i + 1]), (8...15).contains(digits) else { return nil }
            return end < input.count && ASCII.isDigit(input[end]) ? nil : end
        }
        var j = i
        if c == UInt8(ascii: "(") {
            guard let close = run(from: i + 1, exactly: 3, ASCII.isDigit), close < input.count, input[close] == UInt8(ascii: ")") else { return nil }
            j = close + 1
            if j < input.count, input[j] == 32 { j += 1 }
        } else {
            guard let first = run(from: i, exactly: 3, ASCII.isDigit), first < input.count, input[first] == UInt8(ascii: "-") || input[first] == UInt8(ascii: ".") else { return nil }
            j = first + 1
        }
        guard let middle = run(from: j, exactly: 3, ASCII.isDigit), middle < input.count,
              input[middle] == UInt8(ascii: "-") || input[middle] == UInt8(ascii: "."),
              let end = run(from: middle + 1, exactly: 4, ASCII.isDigit)
        else { return nil }
        return end < input.count && ASCII.isAlnum(input[end]) ? nil : end
    }

    /// Whether the input has `literal` at `i`, case-sensitively.
    func has(_ literal: StaticString, at i: Int) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard i + count <= input.count else { return false }
        let bytes = literal.utf8Start
        for k in 0..<count where input[i + k] != bytes[k] { return false }
        return true
    }

    /// The end of exactly `count` bytes from `start` that pass `test`, not followed by another.
    func run(from start: Int, exactly count: Int, _ test: (UInt8) -> Bool) -> Int? {
        guard start + count <= input.count else { return nil }
        for k in start..<(start + count) where !test(input[k]) { return nil }
        let end = start + count
        return end < input.count && test(input[end]) ? nil : end
    }

    /// The end of a run of at least `minimum` bytes from `start` that pass `test`.
    func run(from start: Int, atLeast minimum: Int, _ test: (UInt8) -> Bool) -> Int? {
        var end = start
        while end < input.count, test(input[end]) { end += 1 }
        return end - start >= minimum ? end : nil
    }

    static func isUpperOrDigit(_ c: UInt8) -> Bool { ASCII.isDigit(c) || (c >= 65 && c <= 90) }
    static func isKeyByte(_ c: UInt8) -> Bool { ASCII.isAlnum(c) || c == UInt8(ascii: "_") || c == UInt8(ascii: "-") }
    static func isBase64URL(_ c: UInt8) -> Bool { isKeyByte(c) }
}
