/// A JSON document as a value: what SDK payloads are parsed into, normalized, scrubbed and
/// stored back as. Objects are dictionaries; output sorts keys so stored bytes are stable.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The member of an object, or `nil`.
    public subscript(key: String) -> JSONValue? {
        get {
            guard case .object(let members) = self else { return nil }
            return members[key]
        }
        set {
            guard case .object(var members) = self else { return }
            // Release the payload's own storage before mutating, so the dictionary is
            // uniquely referenced and not copied.
            self = .null
            members[key] = newValue
            self = .object(members)
        }
    }

    /// The text of a string value.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// A number as a double (ints converted).
    public var doubleValue: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }

    /// A whole number (doubles with no fraction converted).
    public var intValue: Int64? {
        switch self {
        case .int(let value): value
        case .double(let value): value.rounded() == value && abs(value) < 9e18 ? Int64(value) : nil
        default: nil
        }
    }

    /// A boolean value.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The elements of an array value.
    public var arrayValue: [JSONValue]? {
        if case .array(let values) = self { return values }
        return nil
    }

    /// The entries of an interface SDKs send as `{"values": [...]}` or as a bare list
    /// (exceptions, breadcrumbs, threads); empty for anything else.
    public var interfaceValues: [JSONValue] {
        self["values"]?.arrayValue ?? arrayValue ?? []
    }

    /// The members of an object value.
    public var objectValue: JSONObject? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// Whether this is `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// Strings as they are; numbers and booleans rendered as text; `nil` for the rest.
    public var scalarText: String? {
        switch self {
        case .string(let text): text
        case .int(let value): String(value)
        case .double(let value): value.description
        case .bool(let value): value ? "True" : "False"
        default: nil
        }
    }
}
