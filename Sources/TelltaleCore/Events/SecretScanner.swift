/// ASCII helpers for byte-wise matching on the hot path (Foundation's string search is slow).
enum ASCII {
    static func lower(_ c: UInt8) -> UInt8 { c >= 65 && c <= 90 ? c + 32 : c }
    static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    static func isAlnum(_ c: UInt8) -> Bool { isDigit(c) || (c | 0x20 >= 97 && c | 0x20 <= 122) }

    /// Whether `haystack` contains the lower-case `needle`, ignoring ASCII case.
    static func containsIgnoringCase(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count, let first = needle.first else { return needle.isEmpty }
        var i = 0
        let last = haystack.count - needle.count
        while i <= last {
            if lower(haystack[i]) == first {
                var j = 1
                while j < needle.count, lower(haystack[i + j]) == needle[j] { j += 1 }
                if j == needle.count { return true }
            }
            i += 1
        }
        return false
    }
}

/// Finds secrets inside free text in one pass: `Bearer <token>`, `password=…`-style pairs,
/// URL passwords, PEM private keys, and card numbers (13–19 digits passing Luhn).
struct SecretScanner {
    let input: UnsafeBufferPointer<UInt8>
    let lower: LowerView
    var output: [UInt8] = []
    /// Input before this index is already in `output`; copying waits for the first secret, so
    /// text without one is never copied.
    var pending = 0

    /// ASCII-lower-cased view of the input without copying it.
    struct LowerView {
        let bytes: UnsafeBufferPointer<UInt8>
        var count: Int { bytes.count }
        subscript(index: Int) -> UInt8 { ASCII.lower(bytes[index]) }
    }

    static let filtered = Array("[Filtered]".utf8)
    static let card = Array("[creditcard]".utf8)
    static let pairKeys = ["password", "passwd", "pwd", "secret", "access_token", "token", "api_key", "apikey", "api-key", "auth"].map { Array($0.utf8) }
    static let bearer = Array("bearer".utf8)
    static let pemBegin = Array("-----begin".utf8)
    static let pemEnd = Array("-----end".utf8)
    static let privateKey = Array("private key-----".utf8)

    init(_ input: UnsafeBufferPointer<UInt8>) {
        self.input = input
        self.lower = LowerView(bytes: input)
    }

    /// Scans; returns whether anything was replaced (then `output` holds the new text).
    mutating func run() -> Bool {
        var digits = 0
        var maybe = false
        for c in input {
            if ASCII.isDigit(c) { digits += 1 }
            if c == UInt8(ascii: "=") || c == UInt8(ascii: ":") || c | 0x20 == UInt8(ascii: "b") || c == UInt8(ascii: "-") { maybe = true }
        }
        guard maybe || digits >= 13 else { return false }
        var changed = false
        var i = 0
        while i < input.count {
            if let next = secret(at: i) {
                changed = true
                i = next
                continue
            }
            if digits >= 13, let next = cardNumber(at: i) {
                changed = true
                i = next
                continue
            }
            i += 1
        }
        if changed { output.append(contentsOf: input[pending...]) }
        return changed
    }

    /// Keeps the input up to `keep`, writes `replacement` for `keep..<end`; returns `end`.
    mutating func replace(keepingUpTo keep: Int, through end: Int, with replacement: [UInt8]) -> Int {
        if output.isEmpty { output.reserveCapacity(input.count) }
        output.append(contentsOf: input[pending..<keep])
        output.append(contentsOf: replacement)
        pending = end
        return end
    }

    func hasPrefix(_ needle: [UInt8], at i: Int) -> Bool {
        guard i + needle.count <= lower.count else { return false }
        for j in 0..<needle.count where lower[i + j] != needle[j] { return false }
        return true
    }

    func boundary(_ i: Int) -> Bool { i == 0 || !ASCII.isAlnum(lower[i - 1]) }

    /// Replaces one secret starting at `i`, appending to `output`; returns where to go on.
    mutating func secret(at i: Int) -> Int? {
        let c = lower[i]
        if c == UInt8(ascii: "b"), boundary(i), hasPrefix(Self.bearer, at: i) {
            var j = i + Self.bearer.count
            let spaceStart = j
            while j < lower.count, lower[j] == 32 || lower[j] == 9 { j += 1 }
            let tokenStart = j
            while j < lower.count, ASCII.isAlnum(lower[j]) || "-._~+/=".utf8.contains(lower[j]) { j += 1 }
            guard j > spaceStart, j > tokenStart else { return nil }
            return replace(keepingUpTo: tokenStart, through: j, with: Self.filtered)
        }
        if boundary(i), ASCII.isAlnum(c) {
            for key in Self.pairKeys where key[0] == c && hasPrefix(key, at: i) {
                var j = i + key.count
                while j < lower.count, lower[j] == 32 { j += 1 }
                guard j < lower.count, lower[j] == UInt8(ascii: "=") || lower[j] == UInt8(ascii: ":") else { continue }
                j += 1
                while j < lower.count, lower[j] == 32 { j += 1 }
                let valueStart = j
                if j < lower.count, lower[j] == 34 || lower[j] == 39 {
                    let quote = lower[j]
                    j += 1
                    while j < lower.count, lower[j] != quote { j += 1 }
                    if j < lower.count { j += 1 }
                } else {
                    while j < lower.count, !(" \t\n\r&,;\"'".utf8.contains(lower[j])) { j += 1 }
                }
                guard j > valueStart else { return nil }
                return replace(keepingUpTo: valueStart, through: j, with: Self.filtered)
            }
        }
        if c == UInt8(ascii: ":"), i + 2 < lower.count, lower[i + 1] == 47, lower[i + 2] == 47 {
            // scheme://user:password@host
            var j = i + 3
            while j < lower.count, !"/ :@".utf8.contains(lower[j]) { j += 1 }
            guard j < lower.count, lower[j] == UInt8(ascii: ":"), j > i + 3 else { return nil }
            let passwordStart = j + 1
            var k = passwordStart
            while k < lower.count, !"/ @".utf8.contains(lower[k]) { k += 1 }
            guard k < lower.count, lower[k] == UInt8(ascii: "@"), k > passwordStart else { return nil }
            return replace(keepingUpTo: passwordStart, through: k, with: Self.filtered)
        }
        if c == UInt8(ascii: "-"), hasPrefix(Self.pemBegin, at: i) {
            var j = i + Self.pemBegin.count
            while j < lower.count, lower[j] != 10, !hasPrefix(Self.privateKey, at: j) { j += 1 }
            guard hasPrefix(Self.privateKey, at: j) else { return nil }
            var end = j
            while end < lower.count, !hasPrefix(Self.pemEnd, at: end) { end += 1 }
            guard end < lower.count else { return nil }
            end += Self.pemEnd.count
            while end < lower.count, lower[end] != UInt8(ascii: "-") { end += 1 }
            while end < lower.count, lower[end] == UInt8(ascii: "-") { end += 1 }
            return replace(keepingUpTo: i, through: end, with: Self.filtered)
        }
        return nil
    }

    /// A card number starting at `i`: 13–19 digits, single spaces or dashes between, Luhn-valid,
    /// not glued to letters or digits.
    mutating func cardNumber(at i: Int) -> Int? {
        guard ASCII.isDigit(lower[i]), boundary(i) else { return nil }
        var digits: [Int] = []
        var j = i
        var last = i
        while j < lower.count, digits.count < 19 {
            if ASCII.isDigit(lower[j]) {
                digits.append(Int(lower[j] - 48))
                last = j
                j += 1
            } else if (lower[j] == 32 || lower[j] == 45), j + 1 < lower.count, ASCII.isDigit(lower[j + 1]) {
                j += 1
            } else {
                break
            }
        }
        let end = last + 1
        guard (13...19).contains(digits.count), end >= lower.count || !ASCII.isAlnum(lower[end]), Self.luhn(digits) else { return nil }
        return replace(keepingUpTo: i, through: end, with: Self.card)
    }

    static func luhn(_ digits: [Int]) -> Bool {
        var sum = 0
        for (offset, digit) in digits.reversed().enumerated() {
            if offset % 2 == 1 {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += digit
            }
        }
        return sum % 10 == 0
    }
}
