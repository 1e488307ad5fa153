public import Foundation

/// Scheduled backups of the embedded database: when the next is due, what it is called, and
/// which old ones go (pure: the clock and the folder's listing are passed in).
public struct BackupPlan: Sendable, Equatable {
    /// Time between backups.
    public var interval: TimeInterval
    /// Backups kept; older ones are deleted after a new one is made.
    public var keep: Int
    /// Whether backups are compressed with Zstandard (`.db.zst`).
    public var compress: Bool

    public init(interval: TimeInterval, keep: Int, compress: Bool) {
        self.interval = interval
        self.keep = max(1, keep)
        self.compress = compress
    }

    static let prefix = "telltale-"

    /// `telltale-20261205-142300.db` (UTC), so names sort as times do.
    public func fileName(at date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = seconds.quotientAndRemainder(dividingBy: 86_400)
        let (year, month, day) = EventWeek.civilDate(daysSince1970: Int64(days.quotient))
        let time = days.remainder
        return Self.prefix + padded(year, 4) + padded(month, 2) + padded(day, 2) + "-"
            + padded(Int64(time / 3600), 2) + padded(Int64(time / 60 % 60), 2) + padded(Int64(time % 60), 2) + (compress ? ".db.zst" : ".db")
    }

    /// The time a backup's name records, or `nil` for a name this plan did not make.
    public static func date(of name: String) -> Date? {
        guard name.hasPrefix(prefix), name.hasSuffix(".db") || name.hasSuffix(".db.zst") else { return nil }
        let stamp = Array(name.dropFirst(prefix.count).prefix(15))
        guard stamp.count == 15, stamp[8] == "-" else { return nil }
        func number(_ range: Range<Int>) -> Int? { Int(String(stamp[range])) }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
              let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60 else { return nil }
        let days = Timestamps.daysFromCivil(year: year, month: month, day: day)
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + hour * 3600 + minute * 60 + second))
    }

    /// Whether a backup is due, given the names in the folder.
    public func isDue(now: Date, existing: [String]) -> Bool {
        guard let newest = existing.compactMap(Self.date(of:)).max() else { return true }
        return now.timeIntervalSince(newest) >= interval
    }

    /// The backups to delete so that the newest `keep` remain; files this plan did not name stay.
    public func toDelete(existing: [String]) -> [String] {
        let ours = existing.compactMap { name in Self.date(of: name).map { (name, $0) } }.sorted { $0.1 > $1.1 }
        return ours.dropFirst(keep).map(\.0)
    }
}
