import Foundation
import Synchronization
import TelltaleCore

/// Free space on the file system of the database (SQLite) or the data directory (PostgreSQL,
/// whose disk is the database server's), and whether a full disk is still full: the ingest
/// writer says when a write failed for it; space growing back (or a write succeeding) ends it.
final class DiskSpace: Sendable {
    let path: String
    private let freeAtFailure = Mutex<Int64?>(nil)

    init(path: String) {
        self.path = path
    }

    /// Bytes an unprivileged process may still write there, or `nil` when unknown.
    func freeBytes() -> Int64? {
        var info = statvfs()
        var directory = path
        // The database file may not exist yet: ask its folder.
        if !FileManager.default.fileExists(atPath: directory) { directory = (path as NSString).deletingLastPathComponent }
        guard statvfs(directory.isEmpty ? "." : directory, &info) == 0 else { return nil }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }

    /// Whether the disk counts as full now, given the writer's last outcome.
    func isFull(writerFull: Bool) -> Bool {
        let free = freeBytes()
        return freeAtFailure.withLock { atFailure in
            guard writerFull else { atFailure = nil; return false }
            if atFailure == nil { atFailure = free ?? 0 }
            return DiskPressure.stillFull(freeAtFailure: atFailure, freeNow: free)
        }
    }
}
