import Foundation
import SentryProtocol

/// A small JSON path (`$.status`, `$.checks[0].ok`, `$['key with space']`) for asserting one
/// value of a health endpoint's JSON answer.
public struct JSONPath: Sendable, Hashable {
    enum Step: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    let steps: [Step]

    public init(_ text: String) throws {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        guard rest.hasPrefix("$") else { throw Self.invalid("must start with $") }
        rest = rest.dropFirst()
        var steps: [Step] = []
        while let first = rest.first {
            if first == "." {
                rest = rest.dropFirst()
                let name = rest.prefix { $0 != "." && $0 != "[" }
                guard !name.isEmpty else { throw Self.invalid("has an empty key after '.'") }
                steps.append(.key(String(name)))
                rest = rest.dropFirst(name.count)
            } else if first == "[" {
                guard let close = rest.firstIndex(of: "]") else { throw Self.invalid("has an unclosed '['") }
                let inside = rest[rest.index(after: rest.startIndex)..<close]
                if let index = Int(inside), index >= 0 {
                    steps.append(.index(index))
                } else if inside.count >= 2, let quote = inside.first, quote == "'" || quote == "\"", inside.last == quote {
                    steps.append(.key(String(inside.dropFirst().dropLast())))
                } else {
                    throw Self.invalid("has '[\(inside)]', not an index or a quoted key")
                }
                rest = rest[rest.index(after: close)...]
            } else {
                throw Self.invalid("has '\(first)' where '.' or '[' was expected")
            }
        }
        self.steps = steps
    }

    static func invalid(_ reason: String) -> ValidationError { ValidationError(field: "json_path", reason: reason) }

    /// The value at this path in `json` as text (`true`, `42`, `ok`, `null`), or `nil` when
    /// the body is not JSON or the path leads nowhere.
    public func value(in json: [UInt8]) -> String? {
        guard var node = try? JSONParser.parse(json) else { return nil }
        for step in steps {
            switch (step, node) {
            case (.key(let key), .object(let object)):
                guard let child = object[key] else { return nil }
                node = child
            case (.index(let index), .array(let array)):
                guard index < array.count else { return nil }
                node = array[index]
            default:
                return nil
            }
        }
        switch node {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .double(let value): return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        case .string(let value): return value
        case .array, .object: return String(decoding: node.serialized(), as: UTF8.self)
        }
    }
}
