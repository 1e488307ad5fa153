/// ASCII helpers for byte-wise matching on the hot path (Foundation's string search is slow).
enum ASCII {
    static func lower(_ c: UInt8) -> UInt8 { c >= 65 && c <= 90 ? c + 32 : c }
    static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    static func isAlnum(_ c: UInt8) -> Bool { isDigit(c) || (c | 0x20 >= 97 && c | 0x20 <= 122) }
}

/// Case-insensitive matching of a set of lower-case ASCII fragments, one pass over the text.
/// The fragments sit in one flat buffer grouped by first byte, so a position whose byte
/// starts no fragment costs one table read (a pass per fragment, or a loop over an array of
/// arrays, was most of the cost of scrubbing keys).
struct FragmentMatcher: Sendable {
    /// The fragments as given, for building a larger matcher.
    let fragments: [[UInt8]]
    /// All fragments back to back, grouped by first byte.
    private let bytes: [UInt8]
    /// Start of each fragment in `bytes`, plus the end of the last one.
    private let bounds: [Int]
    /// Fragments starting with byte `b` are `group[b]..<group[b + 1]` (indices into `bounds`).
    private let group: [Int]

    init(_ fragments: [[UInt8]]) {
        self.fragments = fragments
        let sorted = fragments.filter { !$0.isEmpty }.sorted { $0[0] < $1[0] }
        var bytes: [UInt8] = []
        var bounds: [Int] = []
        var group = [Int](repeating: 0, count: 257)
        for fragment in sorted {
            bounds.append(bytes.count)
            bytes += fragment
            group[Int(fragment[0]) + 1] += 1
        }
        bounds.append(bytes.count)
        for b in 1...256 { group[b] += group[b - 1] }
        self.bytes = bytes
        self.bounds = bounds
        self.group = group
    }

    /// Whether any fragment occurs in `text`.
    func matches(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        for i in text.indices where length(in: text, at: i) != nil { return true }
        return false
    }

    /// The length of a fragment that occurs in `text` at `i`, if one does.
    func length(in text: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
        let c = Int(ASCII.lower(text[i]))
        return group.withUnsafeBufferPointer { group in
            let (first, last) = (group[c], group[c + 1])
            guard first < last else { return nil }
            return bounds.withUnsafeBufferPointer { bounds in
                bytes.withUnsafeBufferPointer { bytes in
                    for fragment in first..<last {
                        let start = bounds[fragment], count = bounds[fragment + 1] - start
                        guard count <= text.count - i else { continue }
                        var j = 1
                        while j < count, ASCII.lower(text[i + j]) == bytes[start + j] { j += 1 }
                        if j == count { return count }
                    }
                    return nil
                }
            }
        }
    }
}

/// Finds secrets inside free text in one pass: `Bearer <token>`, `password=…`-style pairs
/// (also `aws_secret_access_key=…`), URL passwords, PEM private keys, well-known credential
/// formats (AWS key ids, GitHub, Slack, Stripe and Google keys, JWTs), card numbers (13–19
/// digits passing Luhn) and, when `personalData` is set, email addresses and phone numbers.
struct SecretScanner {
    let input: UnsafeBufferPointer<UInt8>
    let lower: LowerView
    /// Also mask email addresses and phone numbers.
    let personalData: Bool
    var output: [UInt8] = []
    /// Input before this index is already in `output`; copying waits for the first secret, so
    /// text without one is never copied.
    var pending = 0
    /// Whether the input has `=` or `:` anywhere (pairs and URL passwords need one).
    var separators = false
    /// Whether the input has a credential format's prefix (`AKIA`, `ghp_`, `eyJ`, …) anywhere.
    var credentials = false

    /// ASCII-lower-cased view of the input without copying it.
    struct LowerView {
        let bytes: UnsafeBufferPointer<UInt8>
        var count: Int { bytes.count }
        subscript(index: Int) -> UInt8 { ASCII.lower(bytes[index]) }
    }

    static let filtered = Array("[Filtered]".utf8)
    static let card = Array("[creditcard]".utf8)
    static let email = Array("[email]".utf8)
    static let phone = Array("[phone]".utf8)
    /// Keys of `key=value` pairs; none is a prefix of another, so at most one matches at a place.
    static let pairKeys = FragmentMatcher(["password", "passwd", "pwd", "secret", "access_token", "token", "api_key", "apikey", "api-key", "auth"].map { Array($0.utf8) })
    static let bearer = Array("bearer".utf8)
    static let spaceKey = Array(" key".utf8)
    static let pemBegin = Array("-----begin".utf8)
    static let pemEnd = Array("-----end".utf8)
    static let privateKey = Array("private key-----".utf8)

    init(_ input: UnsafeBufferPointer<UInt8>, personalData: Bool = false) {
        self.input = input
        self.lower = LowerView(bytes: input)
        self.personalData = personalData
    }

    /// Scans; returns whether anything was replaced (then `output` holds the new text).
    mutating func run() -> Bool {
        // A first pass finds what each pattern needs (a separator, "be", "--", a credential's
        // prefix, "@", 13 digits); most strings have none of it and are not looked at again.
        var digits = 0
        var maybe = false
        var hasAt = false
        var plus = false
        var phoneSeparators = false
        // Looks back at the bytes before `i` only for the rare bytes that may end a credential's
        // prefix; an ordinary byte costs one switch.
        let count = input.count
        func at(_ i: Int, _ back: Int) -> UInt8 { i >= back ? input[i - back] : 0 }
        var i = 0
        while i < count {
            let c = input[i]
            switch c {
            case 0x30...0x39: digits += 1
            case UInt8(ascii: "="), UInt8(ascii: ":"): separators = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"): if at(i, 1) | 0x20 == UInt8(ascii: "b") { maybe = true }
            case UInt8(ascii: "-"):
                phoneSeparators = true
                // "--" (PEM) or "xox?-" (Slack).
                if at(i, 1) == UInt8(ascii: "-") { maybe = true }
                if at(i, 3) == UInt8(ascii: "o") && at(i, 2) == UInt8(ascii: "x") { credentials = true }
            case UInt8(ascii: "_"):
                // gh?_ (GitHub), github_ (fine-grained), sk_ / rk_ (Stripe).
                let p1 = at(i, 1), p2 = at(i, 2)
                if (at(i, 3) == UInt8(ascii: "g") && p2 == UInt8(ascii: "h")) || (p1 == UInt8(ascii: "b") && p2 == UInt8(ascii: "u"))
                    || (p1 == UInt8(ascii: "k") && (p2 == UInt8(ascii: "s") || p2 == UInt8(ascii: "r"))) { credentials = true }
            case UInt8(ascii: "A"):
                // AKIA, ASIA (AWS key ids).
                if at(i, 3) == UInt8(ascii: "A") && at(i, 1) == UInt8(ascii: "I") && (at(i, 2) == UInt8(ascii: "K") || at(i, 2) == UInt8(ascii: "S")) { credentials = true }
            case UInt8(ascii: "a"):
                // AIza (Google).
                if at(i, 1) == UInt8(ascii: "z") && at(i, 2) == UInt8(ascii: "I") && at(i, 3) == UInt8(ascii: "A") { credentials = true }
            case UInt8(ascii: "J"):
                // eyJ (JWT).
                if at(i, 1) == UInt8(ascii: "y") && at(i, 2) == UInt8(ascii: "e") { credentials = true }
            case UInt8(ascii: "@"):
                // An address has a name right before "@" and a domain right after ("@decorator" has not).
                if ASCII.isAlnum(at(i, 1)) || "._%+-".utf8.contains(at(i, 1)), i + 1 < count, ASCII.isAlnum(input[i + 1]) { hasAt = true }
            case UInt8(ascii: "+"): plus = true
            case UInt8(ascii: "."), UInt8(ascii: "("): phoneSeparators = true
            default: break
            }
            i += 1
        }
        let people = personalData && (hasAt || (plus && digits >= 8) || (phoneSeparators && digits >= 10))
        guard separators || maybe || credentials || digits >= 13 || people else { return false }
        var changed = false
        i = 0
        while i < input.count {
            // Inside a word only a URL's colon and a PEM block's dashes can start a match (every
            // other pattern starts at a word boundary): most bytes are passed here in one test.
            if !boundary(i), input[i] != UInt8(ascii: ":"), input[i] != UInt8(ascii: "-") {
                i += 1
                continue
            }
            if let next = secret(at: i) ?? (people ? personal(at: i, emails: hasAt) : nil) {
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
        switch c {
        case UInt8(ascii: "b"):
            guard boundary(i), hasPrefix(Self.bearer, at: i) else { return nil }
            var j = i + Self.bearer.count
            let spaceStart = j
            while j < lower.count, lower[j] == 32 || lower[j] == 9 { j += 1 }
            let tokenStart = j
            while j < lower.count, ASCII.isAlnum(lower[j]) || "-._~+/=".utf8.contains(lower[j]) { j += 1 }
            guard j > spaceStart, j > tokenStart else { return nil }
            return replace(keepingUpTo: tokenStart, through: j, with: Self.filtered)
        case UInt8(ascii: "p"), UInt8(ascii: "t"):
            return pair(at: i)
        case UInt8(ascii: "s"), UInt8(ascii: "a"):
            return (credentials ? credential(at: i) : nil) ?? pair(at: i)
        case UInt8(ascii: "g"), UInt8(ascii: "x"), UInt8(ascii: "r"), UInt8(ascii: "e"):
            return credentials ? credential(at: i) : nil
        case UInt8(ascii: ":"):
            return urlPassword(at: i)
        case UInt8(ascii: "-"):
            return privateKey(at: i)
        default:
            return nil
        }
    }

    /// A `key=value` or `key: value` pair whose key is one of `pairKeys`, possibly with a
    /// suffix (`secret_access_key`, `token_value`, `secret key`): the value is filtered.
    mutating func pair(at i: Int) -> Int? {
        guard separators, boundary(i), let keyLength = Self.pairKeys.length(in: input, at: i) else { return nil }
        var j = i + keyLength
        // The rest of a longer key name after a separator (`_access_key`, `-id`), at most 32
        // bytes; `author` or `tokenizer` are other words, not keys.
        if j < lower.count, lower[j] == UInt8(ascii: "_") || lower[j] == UInt8(ascii: "-") || lower[j] == UInt8(ascii: ".") {
            let limit = min(lower.count, j + 32)
            while j < limit, ASCII.isAlnum(lower[j]) || lower[j] == UInt8(ascii: "_") || lower[j] == UInt8(ascii: "-") || lower[j] == UInt8(ascii: ".") { j += 1 }
        }
        if hasPrefix(Self.spaceKey, at: j) { j += Self.spaceKey.count }
        while j < lower.count, lower[j] == 32 || lower[j] == 34 || lower[j] == 39 { j += 1 }
        guard j < lower.count, lower[j] == UInt8(ascii: "=") || lower[j] == UInt8(ascii: ":") else { return nil }
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

    /// `scheme://user:password@host` with `i` at the scheme's colon.
    mutating func urlPassword(at i: Int) -> Int? {
        guard i + 2 < lower.count, lower[i + 1] == 47, lower[i + 2] == 47 else { return nil }
        var j = i + 3
        while j < lower.count, !"/ :@".utf8.contains(lower[j]) { j += 1 }
        guard j < lower.count, lower[j] == UInt8(ascii: ":"), j > i + 3 else { return nil }
        let passwordStart = j + 1
        var k = passwordStart
        while k < lower.count, !"/ @".utf8.contains(lower[k]) { k += 1 }
        guard k < lower.count, lower[k] == UInt8(ascii: "@"), k > passwordStart else { return nil }
        return replace(keepingUpTo: passwordStart, through: k, with: Self.filtered)
    }

    /// A PEM private key block starting at `i`.
    mutating func privateKey(at i: Int) -> Int? {
        guard hasPrefix(Self.pemBegin, at: i) else { return nil }
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

    /// A card number starting at `i`: 13–19 digits, Luhn-valid, not glued to letters or
    /// digits, either in one run or grouped as cards print them (fours, or Amex's 4-6-5) with
    /// single spaces or dashes; other digit groups are ordinary numbers side by side.
    mutating func cardNumber(at i: Int) -> Int? {
        guard ASCII.isDigit(lower[i]), boundary(i) else { return nil }
        var digits: [Int] = []
        var groups = [0]
        var j = i
        var last = i
        while j < lower.count, digits.count < 19 {
            if ASCII.isDigit(lower[j]) {
                digits.append(Int(lower[j] - 48))
                groups[groups.count - 1] += 1
                last = j
                j += 1
            } else if (lower[j] == 32 || lower[j] == 45), j + 1 < lower.count, ASCII.isDigit(lower[j + 1]) {
                groups.append(0)
                j += 1
            } else {
                break
            }
        }
        let end = last + 1
        guard (13...19).contains(digits.count), end >= lower.count || !ASCII.isAlnum(lower[end]),
              Self.cardGrouping(groups), Self.luhn(digits) else { return nil }
        return replace(keepingUpTo: i, through: end, with: Self.card)
    }

    /// One run, fours with a shorter last group, or 4-6-5 / 4-6-4.
    static func cardGrouping(_ groups: [Int]) -> Bool {
        if groups.count == 1 { return true }
        if groups == [4, 6, 5] || groups == [4, 6, 4] { return true }
        return groups.dropLast().allSatisfy { $0 == 4 } && (1...4).contains(groups.last ?? 0)
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
