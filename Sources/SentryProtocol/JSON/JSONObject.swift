/// A JSON object: members in the order they arrived, looked up by a backwards scan (so a
/// repeated key resolves to its last value, as JSON parsers conventionally do). Event
/// objects are small, and an ordered array is several times cheaper to build, walk and
/// copy than a hashed dictionary on the ingest path.
public struct JSONObject: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    private(set) var keys: [String]
    private(set) var values: [JSONValue]

    /// An empty object.
    public init() {
        keys = []
        values = []
    }

    /// An object from members in order (later duplicates replace earlier ones).
    public init(_ members: some Sequence<(String, JSONValue)>) {
        self.init()
        for (key, value) in members { self[key] = value }
    }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }

    /// Appends without checking for an earlier equal key (the parser de-duplicates itself).
    mutating func appendUnchecked(_ key: String, _ value: JSONValue) {
        keys.append(key)
        values.append(value)
    }

    func index(of key: String) -> Int? {
        // Comparing UTF-8 lengths first (stored in the string, so free) skips the library's
        // out-of-line comparison for almost every other key.
        let length = key.utf8.count
        var index = keys.count - 1
        while index >= 0 {
            if keys[index].utf8.count == length, keys[index] == key { return index }
            index -= 1
        }
        return nil
    }

    /// The member's value; setting `nil` removes it.
    public subscript(key: String) -> JSONValue? {
        get { index(of: key).map { values[$0] } }
        set {
            if let index = index(of: key) {
                if let newValue {
                    values[index] = newValue
                } else {
                    keys.remove(at: index)
                    values.remove(at: index)
                }
            } else if let newValue {
                keys.append(key)
                values.append(newValue)
            }
        }
    }

    /// Number of members.
    public var count: Int { keys.count }

    /// Whether there are no members.
    public var isEmpty: Bool { keys.isEmpty }

    /// The member names in order.
    public var memberNames: [String] { keys }

    /// The same members with each value transformed.
    public func mapValues(_ transform: (JSONValue) throws -> JSONValue) rethrows -> JSONObject {
        var result = self
        result.values = try values.map(transform)
        return result
    }

    /// The members for which `isIncluded` holds.
    public func filter(_ isIncluded: ((key: String, value: JSONValue)) throws -> Bool) rethrows -> JSONObject {
        var result = JSONObject()
        for member in self where try isIncluded(member) { result.appendUnchecked(member.key, member.value) }
        return result
    }

    public func makeIterator() -> Iterator { Iterator(object: self) }

    /// Iterates members in order.
    public struct Iterator: IteratorProtocol {
        let object: JSONObject
        var position = 0

        public mutating func next() -> (key: String, value: JSONValue)? {
            guard position < object.keys.count else { return nil }
            defer { position += 1 }
            return (object.keys[position], object.values[position])
        }
    }

    /// Equal when they have the same members, in any order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for (key, value) in lhs where rhs[key] != value { return false }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for key in keys.sorted() { hasher.combine(key); hasher.combine(self[key]) }
    }
}
