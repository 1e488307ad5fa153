public import SentryProtocol

/// What the server changed in an event and where, written into the event's `_meta` tree in
/// Relay's form (protocol reference §13, §14): `{"": {"len": original, "rem": [[rule, type]]}}`
/// at the changed value's path, so a reader can tell a trimmed or filtered value from data.
public struct MetaNotes: Sendable {
    /// One step of a path into the event.
    public enum Step: Sendable, Hashable {
        case key(String)
        case index(Int)

        var name: String {
            switch self {
            case .key(let key): key
            case .index(let index): String(index)
            }
        }
    }

    struct Note: Sendable {
        var path: [Step]
        var rule: String
        /// Relay's remark type: "s" substituted, "p" pseudonymized, "x" removed.
        var type: String
        var originalLength: Int?
    }

    private(set) var notes: [Note] = []

    public init() {}

    public var isEmpty: Bool { notes.isEmpty }

    /// A value cut to a size limit (`!limit`, as Relay names it).
    public mutating func trimmed(_ path: [Step], originalLength: Int) {
        notes.append(Note(path: path, rule: "!limit", type: "s", originalLength: originalLength))
    }

    /// A value replaced by a scrubbing rule.
    public mutating func filtered(_ path: [Step], rule: String, originalLength: Int?) {
        notes.append(Note(path: path, rule: rule, type: "s", originalLength: originalLength))
    }

    /// A value replaced by its keyed hash.
    public mutating func pseudonymized(_ path: [Step], rule: String) {
        notes.append(Note(path: path, rule: rule, type: "p", originalLength: nil))
    }

    /// A value removed by a rule.
    public mutating func removed(_ path: [Step], rule: String) {
        notes.append(Note(path: path, rule: rule, type: "x", originalLength: nil))
    }

    /// Adds the notes to `event["_meta"]`, keeping what the SDK put there.
    public func apply(to event: inout JSONObject) {
        guard !notes.isEmpty else { return }
        var meta = event["_meta"] ?? .object([:])
        if meta.objectValue == nil { meta = .object([:]) }
        for note in notes {
            Self.add(note, at: note.path[...], into: &meta)
        }
        event["_meta"] = meta
    }

    private static func add(_ note: Note, at path: ArraySlice<Step>, into node: inout JSONValue) {
        guard case .object(var members) = node else { return }
        node = .null
        if let step = path.first {
            var child = members[step.name] ?? .object([:])
            if child.objectValue == nil { child = .object([:]) }
            add(note, at: path.dropFirst(), into: &child)
            members[step.name] = child
        } else {
            var annotation = members[""]?.objectValue ?? [:]
            var remarks = annotation["rem"]?.arrayValue ?? []
            remarks.append(.array([.string(note.rule), .string(note.type)]))
            annotation["rem"] = .array(remarks)
            if let length = note.originalLength, annotation["len"] == nil { annotation["len"] = .int(Int64(length)) }
            members[""] = .object(annotation)
        }
        node = .object(members)
    }
}
