import Foundation

/// How the dashboard writes times and numbers.
enum WebFormat {
    /// "just now", "5m ago", "3h ago", "2d ago", or the date for older times; "in 2h" ahead.
    static func relative(_ date: Date, now: Date = Date()) -> String {
        let seconds = Int(now.timeIntervalSince(date))
        if seconds < -45 {
            let ahead = -seconds
            switch ahead {
            case ..<3_600: return "in \(max(1, ahead / 60))m"
            case ..<86_400: return "in \(ahead / 3_600)h"
            case ..<(30 * 86_400): return "in \(ahead / 86_400)d"
            default: return day(date)
            }
        }
        switch seconds {
        case ..<45: return "just now"
        case ..<3_600: return "\(max(1, seconds / 60))m ago"
        case ..<86_400: return "\(seconds / 3_600)h ago"
        case ..<(30 * 86_400): return "\(seconds / 86_400)d ago"
        default: return day(date)
        }
    }

    /// `2026-11-24T10:15:00Z`, for `<time datetime>` and tooltips.
    static func iso(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    /// `2026-11-24`.
    static func day(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day())
    }

    /// `2026-11-24 10:15:03 UTC`.
    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false).timeSeparator(.colon)).replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC")
    }

    /// 950, 1.2k, 34k, 1.5M.
    static func count(_ n: Int64) -> String {
        switch n {
        case ..<1_000: return String(n)
        case ..<10_000: return String(format: "%.1fk", Double(n) / 1_000)
        case ..<1_000_000: return "\(n / 1_000)k"
        default: return String(format: "%.1fM", Double(n) / 1_000_000)
        }
    }

    /// `Dec 4`: a day's label on charts of whole UTC days.
    static func utcDay(_ date: Date) -> String {
        var style = Date.FormatStyle.dateTime.month(.abbreviated).day().locale(Locale(identifier: "en_US"))
        style.timeZone = TimeZone(identifier: "UTC")!
        return date.formatted(style)
    }

    /// An amount of money without its currency: `1,234` or `12.50`.
    static func money(_ amount: Double) -> String {
        amount >= 100 || amount == amount.rounded()
            ? Int(amount.rounded()).formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_US")))
            : String(format: "%.2f", amount)
    }

    /// 45s, 12m, 3.5h, 2.1d.
    static func duration(_ seconds: TimeInterval) -> String {
        switch seconds {
        case ..<60: return "\(Int(seconds))s"
        case ..<3_600: return "\(Int(seconds / 60))m"
        case ..<86_400: return String(format: "%.1fh", seconds / 3_600)
        default: return String(format: "%.1fd", seconds / 86_400)
        }
    }

    /// 99.95%: two decimals, never rounded up to 100% while anything was down.
    static func percent(_ value: Double) -> String {
        if value >= 100 { return "100%" }
        // Integer arithmetic: String(format:) is slow, and pages print thousands of these.
        let hundredths = max(0, Int((value * 100).rounded(.down)))
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)%"
    }

    /// 1h 2m 3s: exact, for downtimes.
    static func exactDuration(_ seconds: TimeInterval) -> String {
        var rest = Int(seconds.rounded())
        let days = rest / 86_400; rest %= 86_400
        let hours = rest / 3_600; rest %= 3_600
        let minutes = rest / 60; rest %= 60
        var parts: [String] = []
        if days > 0 { parts.append("\(days)d") }
        if hours > 0 { parts.append("\(hours)h") }
        if minutes > 0 { parts.append("\(minutes)m") }
        if rest > 0 || parts.isEmpty { parts.append("\(rest)s") }
        return parts.joined(separator: " ")
    }
}
