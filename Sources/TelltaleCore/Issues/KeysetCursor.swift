import Foundation

/// A page boundary: the last row's sort value and id, as `value:id`.
public enum KeysetCursor {
    public static func format(_ value: Int64, _ id: Int64) -> String { "\(value):\(id)" }

    public static func parse(_ text: String) throws(IssueQueryError) -> (value: Int64, id: Int64) {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let value = Int64(parts[0]), let id = Int64(parts[1]) else {
            throw IssueQueryError(token: text, reason: "malformed cursor (use the one a previous page returned)")
        }
        return (value, id)
    }
}

extension StoredEvent {
    /// The cursor that pages to the events after this one (newest first).
    public var cursor: String { KeysetCursor.format(Int64((timestamp.timeIntervalSince1970 * 1000).rounded()), rowID) }
}
