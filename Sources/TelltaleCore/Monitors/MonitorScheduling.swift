public import Foundation

/// When an active monitor runs next: on its own phase (due + interval), skipping slots that
/// passed while it was behind rather than running them back to back.
public enum MonitorScheduling {
    public static func nextCheck(due: Date, intervalSeconds: Int, now: Date) -> Date {
        let interval = TimeInterval(max(1, intervalSeconds))
        var next = due.addingTimeInterval(interval)
        if next <= now {
            let behind = (now.timeIntervalSince(next) / interval).rounded(.down) + 1
            next = next.addingTimeInterval(behind * interval)
        }
        return next
    }

    /// Slots skipped because the check ran late.
    public static func skippedSlots(due: Date, intervalSeconds: Int, now: Date) -> Int {
        let interval = TimeInterval(max(1, intervalSeconds))
        return max(0, Int((now.timeIntervalSince(due) / interval).rounded(.down)))
    }
}
