/// Replaces the variable parts of messages (ids, numbers, addresses, dates…) with
/// placeholders so that messages differing only in them group together (§12.7). A single
/// left-to-right scan over the bytes: at each word start the first matcher that fits wins,
/// in the order the reference gives. Changing it changes hashes: bump
/// ``GroupingResult/currentVersion`` with it.
public enum MessageNormalizer {
    /// The normalized message: first two non-empty lines (with `...` when cut), variable
    /// parts replaced by `<name>`.
    public static func normalize(_ message: String) -> String {
        // Byte-wise line handling: keep the first two lines that are not blank.
        var lines: [ArraySlice<UInt8>] = []
        let bytes = Array(message.utf8)
        var truncated = false
        for line in bytes.split(separator: 10, omittingEmptySubsequences: true) {
            let trimmedCR = line.last == 13 ? line.dropLast() : line
            guard trimmedCR.contains(where: { $0 != 32 && $0 != 9 && $0 != 13 }) else { continue }
            if lines.count == 2 { truncated = true; break }
            lines.append(trimmedCR)
        }
        var text = Array(lines.joined(separator: [10]))
        if truncated { text += Array("...".utf8) }
        var scanner = Scanner(bytes: text)
        return scanner.run()
    }
}

private struct Scanner {
    let b: [UInt8]
    var out: [UInt8] = []

    init(bytes: [UInt8]) {
        self.b = bytes
        out.reserveCapacity(bytes.count)
    }

    static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    static func isLower(_ c: UInt8) -> Bool { c >= 97 && c <= 122 }
    static func isUpper(_ c: UInt8) -> Bool { c >= 65 && c <= 90 }
    static func isAlpha(_ c: UInt8) -> Bool { isLower(c) || isUpper(c) }
    static func isWord(_ c: UInt8) -> Bool { isAlpha(c) || isDigit(c) || c == 95 || c >= 0x80 }
    static func isHex(_ c: UInt8) -> Bool { isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70) }

    func at(_ i: Int) -> UInt8 { i < b.count ? b[i] : 0 }
    func wordEndsAt(_ i: Int) -> Bool { !Scanner.isWord(at(i)) }

    mutating func emit(_ name: String) { out.append(contentsOf: Array("<\(name)>".utf8)) }

    mutating func run() -> String {
        var i = 0
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "=") {
                out.append(c)
                i += 1
                if let end = quoted(i) { emit("quoted_str"); i = end; continue }
                if let end = boolean(i) { emit("bool"); i = end; continue }
                continue
            }
            let boundary = i == 0 || !Scanner.isWord(b[i - 1])
            if boundary, let (end, name) = match(i) {
                emit(name)
                i = end
                continue
            }
            out.append(c)
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    func match(_ i: Int) -> (Int, String)? {
        let c = b[i]
        if let end = email(i) { return (end, "email") }
        if Scanner.isAlpha(c), let end = url(i) { return (end, "url") }
        if Scanner.isHex(c) || c == UInt8(ascii: ":") {
            if let end = ipv4(i) ?? ipv6(i) { return (end, "ip") }
            if let end = uuid(i) { return (end, "uuid") }
            let run = hexRun(i)
            if run.length == 40, wordEndsAt(i + 40) { return (i + 40, "sha1") }
            if run.length == 32, wordEndsAt(i + 32) { return (i + 32, "md5") }
        }
        if Scanner.isDigit(c) {
            if let end = date(i) { return (end, "date") }
            if let end = duration(i) { return (end, "duration") }
        }
        if c == UInt8(ascii: "0"), at(i + 1) | 0x20 == UInt8(ascii: "x"), Scanner.isHex(at(i + 2)) {
            var end = i + 2
            while Scanner.isHex(at(end)) { end += 1 }
            if wordEndsAt(end) { return (end, "hex") }
        }
        if Scanner.isHex(c) {
            let run = hexRun(i)
            if (8...128).contains(run.length), run.hasDigit, !(run.hasLower && run.hasUpper), wordEndsAt(i + run.length) {
                return (i + run.length, "hex")
            }
        }
        if Scanner.isDigit(c) || (c == UInt8(ascii: "-") && Scanner.isDigit(at(i + 1))) {
            return number(i)
        }
        return nil
    }

    func hexRun(_ i: Int) -> (length: Int, hasDigit: Bool, hasLower: Bool, hasUpper: Bool) {
        var end = i
        var digit = false, lower = false, upper = false
        while Scanner.isHex(at(end)) {
            let c = b[end]
            if Scanner.isDigit(c) { digit = true } else if Scanner.isLower(c) { lower = true } else { upper = true }
            end += 1
        }
        return (end - i, digit, lower, upper)
    }

    func email(_ i: Int) -> Int? {
        var j = i
        func local(_ c: UInt8) -> Bool { Scanner.isAlpha(c) || Scanner.isDigit(c) || c == 46 || c == 95 || c == 37 || c == 43 || c == 45 }
        while j < b.count, local(b[j]) { j += 1 }
        guard j > i, at(j) == UInt8(ascii: "@") else { return nil }
        j += 1
        let domainStart = j
        var lastDot = -1
        while j < b.count, Scanner.isAlpha(b[j]) || Scanner.isDigit(b[j]) || b[j] == 45 || b[j] == 46 {
            if b[j] == 46 { lastDot = j }
            j += 1
        }
        while j > domainStart, b[j - 1] == 46 { j -= 1 }
        guard lastDot > domainStart, lastDot < j - 2, (lastDot + 1..<j).allSatisfy({ Scanner.isAlpha(b[$0]) }) else { return nil }
        return j
    }

    func url(_ i: Int) -> Int? {
        for scheme in ["https://", "http://", "wss://", "ws://", "ftp://"] {
            let bytes = Array(scheme.utf8)
            guard i + bytes.count <= b.count else { continue }
            if (0..<bytes.count).allSatisfy({ b[i + $0] | (Scanner.isAlpha(b[i + $0]) ? 0x20 : 0) == bytes[$0] }) {
                var j = i + bytes.count
                while j < b.count, b[j] > 32, b[j] != 34, b[j] != 39, b[j] != 60, b[j] != 62 { j += 1 }
                return j > i + bytes.count ? j : nil
            }
        }
        return nil
    }

    func ipv4(_ i: Int) -> Int? {
        var j = i
        for part in 0..<4 {
            let start = j
            var value = 0
            while Scanner.isDigit(at(j)), j - start < 3 { value = value * 10 + Int(b[j] - 48); j += 1 }
            guard j > start, value <= 255 else { return nil }
            if part < 3 {
                guard at(j) == UInt8(ascii: "."), Scanner.isDigit(at(j + 1)) else { return nil }
                j += 1
            }
        }
        guard !Scanner.isWord(at(j)), !(at(j) == UInt8(ascii: ".") && Scanner.isDigit(at(j + 1))) else { return nil }
        return j
    }

    func ipv6(_ i: Int) -> Int? {
        var j = i
        var colons = 0, groupLength = 0, doubleColon = false, hexDigits = 0
        while j < b.count, Scanner.isHex(b[j]) || b[j] == UInt8(ascii: ":") {
            if b[j] == UInt8(ascii: ":") {
                if j > i, b[j - 1] == UInt8(ascii: ":") { if doubleColon { return nil }; doubleColon = true }
                colons += 1
                groupLength = 0
            } else {
                groupLength += 1
                hexDigits += 1
                if groupLength > 4 { return nil }
            }
            j += 1
        }
        guard hexDigits > 0, colons == 7 || (doubleColon && colons >= 2), !Scanner.isWord(at(j)) else { return nil }
        return j
    }

    func uuid(_ i: Int) -> Int? {
        var j = i
        for (index, length) in [8, 4, 4, 4, 12].enumerated() {
            for _ in 0..<length {
                guard Scanner.isHex(at(j)) else { return nil }
                j += 1
            }
            if index < 4 {
                guard at(j) == UInt8(ascii: "-") else { return nil }
                j += 1
            }
        }
        return wordEndsAt(j) ? j : nil
    }

    func digits(_ i: Int, _ count: Int) -> Bool { (0..<count).allSatisfy { Scanner.isDigit(at(i + $0)) } }

    /// `YYYY-MM-DD[T ]HH:MM[:SS[.frac]][zone]`, bare dates and bare `HH:MM:SS` times.
    func date(_ i: Int) -> Int? {
        var j = i
        if digits(i, 4), at(i + 4) == UInt8(ascii: "-"), digits(i + 5, 2), at(i + 7) == UInt8(ascii: "-"), digits(i + 8, 2) {
            j = i + 10
            if at(j) == UInt8(ascii: "T") || at(j) == UInt8(ascii: " "), digits(j + 1, 2), at(j + 3) == UInt8(ascii: ":"), digits(j + 4, 2) {
                j += 6
                j = seconds(j)
                j = zone(j)
            }
            return wordEndsAt(j) || at(j) == UInt8(ascii: "+") ? j : nil
        }
        var hourDigits = 0
        while Scanner.isDigit(at(i + hourDigits)), hourDigits < 2 { hourDigits += 1 }
        j = i + hourDigits
        if hourDigits > 0, at(j) == UInt8(ascii: ":"), digits(j + 1, 2), at(j + 3) == UInt8(ascii: ":"), digits(j + 4, 2) {
            j = seconds(j + 3)
            return wordEndsAt(j) ? j : nil
        }
        return nil
    }

    func seconds(_ j: Int) -> Int {
        var j = j
        guard at(j) == UInt8(ascii: ":"), digits(j + 1, 2) else { return j }
        j += 3
        if at(j) == UInt8(ascii: "."), Scanner.isDigit(at(j + 1)) {
            j += 1
            while Scanner.isDigit(at(j)) { j += 1 }
        }
        return j
    }

    func zone(_ j: Int) -> Int {
        if at(j) == UInt8(ascii: "Z") { return j + 1 }
        if at(j) == UInt8(ascii: "+") || at(j) == UInt8(ascii: "-"), digits(j + 1, 2) {
            if at(j + 3) == UInt8(ascii: ":"), digits(j + 4, 2) { return j + 6 }
            if digits(j + 3, 2) { return j + 5 }
        }
        return j
    }

    func duration(_ i: Int) -> Int? {
        var j = i
        while Scanner.isDigit(at(j)) { j += 1 }
        if at(j) == UInt8(ascii: "."), Scanner.isDigit(at(j + 1)) {
            j += 1
            while Scanner.isDigit(at(j)) { j += 1 }
        }
        if at(j) == UInt8(ascii: "m"), at(j + 1) == UInt8(ascii: "s"), wordEndsAt(j + 2) { return j + 2 }
        if at(j) == UInt8(ascii: "s"), wordEndsAt(j + 1) { return j + 1 }
        return nil
    }

    func number(_ i: Int) -> (Int, String)? {
        var j = i
        if b[j] == UInt8(ascii: "-") {
            // A minus joining two words ("a-1") is a hyphen, not a sign.
            if i > 0, Scanner.isWord(b[i - 1]) { return nil }
            j += 1
        }
        let start = j
        while Scanner.isDigit(at(j)) { j += 1 }
        if at(j) == UInt8(ascii: "."), Scanner.isDigit(at(j + 1)) {
            j += 1
            while Scanner.isDigit(at(j)) { j += 1 }
            return wordEndsAt(j) ? (j, "float") : nil
        }
        guard j - start <= 7, wordEndsAt(j) else { return nil }
        return (j, "int")
    }

    func quoted(_ i: Int) -> Int? {
        let quote = at(i)
        guard quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\"") else { return nil }
        var j = i + 1
        while j < b.count, b[j] != quote { j += 1 }
        return j < b.count ? j + 1 : nil
    }

    func boolean(_ i: Int) -> Int? {
        for word in ["true", "false", "True", "False"] {
            let bytes = Array(word.utf8)
            if i + bytes.count <= b.count, Array(b[i..<(i + bytes.count)]) == bytes, wordEndsAt(i + bytes.count) { return i + bytes.count }
        }
        return nil
    }
}
