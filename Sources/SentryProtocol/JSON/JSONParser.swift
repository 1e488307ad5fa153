/// Why a JSON document was refused, with the byte offset where it went wrong.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong.
    public var reason: String
    /// Byte offset in the input.
    public var offset: Int

    public var description: String { "\(reason) at byte \(offset)" }
}

/// A strict, allocation-light JSON parser over UTF-8 bytes with a nesting limit, so hostile
/// input (deep nesting, invalid UTF-8, trailing garbage) is refused with a reason instead of
/// exhausting the stack. Accepts `NaN`/`Infinity` only when asked (old Python SDKs send them).
public struct JSONParser {
    /// The deepest nesting accepted.
    public static let defaultMaxDepth = 128

    /// Parses one JSON value that must span all of `bytes` (surrounding whitespace allowed).
    public static func parse(_ bytes: some Collection<UInt8>, maxDepth: Int = defaultMaxDepth, allowNonFinite: Bool = false) throws(JSONParseError) -> JSONValue {
        // Parse in place when the bytes are contiguous (arrays and their slices); copy otherwise.
        if let result = bytes.withContiguousStorageIfAvailable({ parse(buffer: $0, maxDepth: maxDepth, allowNonFinite: allowNonFinite) }) {
            return try result.get()
        }
        return try Array(bytes).withUnsafeBufferPointer { parse(buffer: $0, maxDepth: maxDepth, allowNonFinite: allowNonFinite) }.get()
    }

    private static func parse(buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int, allowNonFinite: Bool) -> Result<JSONValue, JSONParseError> {
        var parser = Reader(bytes: buffer, maxDepth: maxDepth, allowNonFinite: allowNonFinite)
        return Result { () throws(JSONParseError) -> JSONValue in
            parser.skipWhitespace()
            let value = try parser.value(depth: 0)
            parser.skipWhitespace()
            guard parser.position == buffer.count else { throw parser.error("unexpected data after the JSON value") }
            return value
        }
    }
}

private struct Reader {
    let bytes: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    let allowNonFinite: Bool
    var position = 0

    init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int, allowNonFinite: Bool) {
        self.bytes = bytes
        self.maxDepth = maxDepth
        self.allowNonFinite = allowNonFinite
    }

    func error(_ reason: String) -> JSONParseError { JSONParseError(reason: reason, offset: position) }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    mutating func value(depth: Int) throws(JSONParseError) -> JSONValue {
        guard position < bytes.count else { throw error("unexpected end of JSON") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "N") where allowNonFinite: try literal("NaN"); return .null
        case UInt8(ascii: "I") where allowNonFinite: try literal("Infinity"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw error("unexpected character '\(Character(Unicode.Scalar(bytes[position])))'")
        }
    }

    mutating func literal(_ word: StaticString) throws(JSONParseError) {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw error("unexpected end of JSON") }
        for index in 0..<count where bytes[position + index] != word.utf8Start[index] {
            throw error("invalid literal")
        }
        position += count
    }

    mutating func object(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maxDepth else { throw error("JSON nested deeper than \(maxDepth) levels") }
        position += 1
        var members = JSONObject()
        var seen: Set<String>?
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let key = try string()
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw error("expected ':'") }
            position += 1
            skipWhitespace()
            let member = try value(depth: depth)
            // Small objects check for a repeated key by scanning; big ones keep a set so a
            // hostile object with many keys stays linear.
            if members.count < 32 {
                if members.index(of: key) != nil { members[key] = member } else { members.appendUnchecked(key, member) }
            } else {
                if seen == nil { seen = Set(members.memberNames) }
                if seen!.insert(key).inserted { members.appendUnchecked(key, member) } else { members[key] = member }
            }
            skipWhitespace()
            guard position < bytes.count else { throw error("unexpected end of JSON in an object") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "}") { position += 1; return .object(members) }
            throw error("expected ',' or '}'")
        }
    }

    mutating func array(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maxDepth else { throw error("JSON nested deeper than \(maxDepth) levels") }
        position += 1
        var values: [JSONValue] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array(values)
        }
        while true {
            skipWhitespace()
            values.append(try value(depth: depth))
            skipWhitespace()
            guard position < bytes.count else { throw error("unexpected end of JSON in an array") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "]") { position += 1; return .array(values) }
            throw error("expected ',' or ']'")
        }
    }

    /// The string for `bytes`, refusing invalid UTF-8. `String(validating:)` is generic and
    /// showed up in profiles; decoding (which repairs) and comparing back is exact and fast.
    func text(_ bytes: UnsafeBufferPointer<UInt8>, ascii: Bool) throws(JSONParseError) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        guard ascii || text.utf8.elementsEqual(bytes) else { throw error("invalid UTF-8 in a string") }
        return text
    }

    mutating func string() throws(JSONParseError) -> String {
        position += 1
        let start = position
        var ascii = true
        // Fast path: no escapes.
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<position])
                position += 1
                return try text(slice, ascii: ascii)
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error("control character in a string") }
            ascii = ascii && byte < 0x80
            position += 1
        }
        var scalars: [UInt8] = Array(UnsafeBufferPointer(rebasing: bytes[start..<position]))
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return try scalars.withUnsafeBufferPointer { buffer throws(JSONParseError) in try text(buffer, ascii: false) }
            case UInt8(ascii: "\\"):
                position += 1
                guard position < bytes.count else { break }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""): scalars.append(0x22)
                case UInt8(ascii: "\\"): scalars.append(0x5C)
                case UInt8(ascii: "/"): scalars.append(0x2F)
                case UInt8(ascii: "b"): scalars.append(0x08)
                case UInt8(ascii: "f"): scalars.append(0x0C)
                case UInt8(ascii: "n"): scalars.append(0x0A)
                case UInt8(ascii: "r"): scalars.append(0x0D)
                case UInt8(ascii: "t"): scalars.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800...0xDBFF).contains(code), position + 1 < bytes.count,
                       bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") {
                        position += 2
                        let low = try hex4()
                        if (0xDC00...0xDFFF).contains(low) {
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            code = 0xFFFD
                        }
                    }
                    let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                    scalars.append(contentsOf: Array(String(Character(scalar)).utf8))
                default: throw error("invalid escape in a string")
                }
            default:
                if byte < 0x20 { throw error("control character in a string") }
                scalars.append(byte)
                position += 1
            }
        }
        throw error("unterminated string")
    }

    mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("short \\u escape") }
        var code: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("invalid \\u escape")
            }
            code = code << 4 | digit
            position += 1
        }
        return code
    }

    mutating func number() throws(JSONParseError) -> JSONValue {
        let start = position
        var isInteger = true
        if bytes[position] == UInt8(ascii: "-") {
            position += 1
            if allowNonFinite, position < bytes.count, bytes[position] == UInt8(ascii: "I") {
                try literal("Infinity")
                return .null
            }
        }
        guard position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) else { throw error("invalid number") }
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): position += 1
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "+"), UInt8(ascii: "-"):
                isInteger = false
                position += 1
            default:
                return try finishNumber(start: start, isInteger: isInteger)
            }
        }
        return try finishNumber(start: start, isInteger: isInteger)
    }

    func finishNumber(start: Int, isInteger: Bool) throws(JSONParseError) -> JSONValue {
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        if isInteger, let value = Int64(text) { return .int(value) }
        guard let value = Double(text), value.isFinite || allowNonFinite else { throw error(text.count > 24 ? "invalid number (\(text.count) characters)" : "invalid number '\(text)'") }
        return .double(value)
    }
}
