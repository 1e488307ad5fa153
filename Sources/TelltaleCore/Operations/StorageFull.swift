/// The database could not write because its disk is full (SQLite's `SQLITE_FULL`,
/// PostgreSQL's `53100 disk_full`, or `ENOSPC`). Nothing of the failed write was kept.
public struct StorageFull: Error, Sendable, CustomStringConvertible {
    /// The database's own words.
    public var detail: String

    public init(detail: String) {
        self.detail = detail
    }

    public var description: String { "the disk holding the database is full (\(detail))" }
}

/// When a full disk is considered past: free space must have grown by this much since the
/// failure (or a write must have succeeded), so a node is not declared ready on a few bytes.
public enum DiskPressure {
    public static let recoveryMargin: Int64 = 1 << 20

    /// Whether the disk still counts as full: it was full with `freeAtFailure` bytes free and
    /// has `freeNow` now (unknown when the size cannot be read).
    public static func stillFull(freeAtFailure: Int64?, freeNow: Int64?) -> Bool {
        guard let freeAtFailure else { return false }
        guard let freeNow else { return true }
        return freeNow < freeAtFailure + recoveryMargin
    }
}
