import Foundation
import TelltaleCore
import TelltaleMonitors

/// Health charts: daily uptime bars (status pages, monitor pages), a state timeline and a
/// response-time sparkline. Same rules as the other charts: SVG with titles for hover values,
/// only numbers and Telltale's own words.
extension Charts {
    /// One bar per day, coloured by that day's uptime; hover tells the day's uptime and downtime.
    /// `dayLabels` are the days' dates (shared by every component of a page, so computed once).
    static func uptimeBars(_ days: [StatusSnapshot.Day], dayLabels: [String], label: String) -> String {
        guard !days.isEmpty else { return "" }
        var svg = "<svg class=\"uptimebars\" viewBox=\"0 0 \(days.count * 10) 34\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"\(escape(label))\">"
        svg.reserveCapacity(days.count * 140)
        for (i, day) in days.enumerated() {
            let level: String
            switch day.uptimePercent {
            case nil: level = "none"
            case let value? where value >= 99.999: level = "full"
            case let value? where value >= 99: level = "minor"
            case let value? where value >= 90: level = "partial"
            default: level = "major"
            }
            let date = dayLabels[safe: i] ?? ""
            let text = day.uptimePercent.map { "\(date): \(WebFormat.percent($0)) uptime" + (day.downtimeSeconds > 0 ? ", down \(WebFormat.exactDuration(day.downtimeSeconds))" : ", no outages") }
                ?? "\(date): no data"
            // Whole-number geometry: no float formatting for thousands of bars.
            svg += "<rect class=\"ub-\(level)\" x=\"\(i * 10 + 1)\" y=\"0\" width=\"8\" height=\"34\" rx=\"1.5\"><title>\(text)</title></rect>"
        }
        return svg + "</svg>"
    }

    /// The monitor's states over a window as coloured spans.
    static func stateTimeline(_ spans: [(range: TimeRange, status: MonitorStatus)], window: TimeRange) -> String {
        spanTimeline(spans.map { ($0.range, "st-\($0.status.rawValue)", $0.status.rawValue) }, window: window, label: "state over the last 24 hours")
    }

    /// Coloured spans over a window, each with its class and a tooltip: monitor states, on-call shifts.
    static func spanTimeline(_ spans: [(range: TimeRange, cssClass: String, title: String)], window: TimeRange, label: String) -> String {
        guard window.duration > 0 else { return "" }
        var svg = "<svg class=\"timeline\" viewBox=\"0 0 1000 16\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"\(escape(label))\">"
        for span in spans {
            guard let clipped = span.range.clamped(to: window) else { continue }
            let x = 1000 * clipped.start.timeIntervalSince(window.start) / window.duration
            let w = max(1, 1000 * clipped.duration / window.duration)
            svg += "<rect class=\"\(span.cssClass)\" x=\"\(fmt(x))\" y=\"0\" width=\"\(fmt(w))\" height=\"16\"><title>\(escape(span.title)) from \(clipped.start.iso8601) for \(WebFormat.duration(clipped.duration))</title></rect>"
        }
        return svg + "</svg>"
    }

    /// A line of response times (oldest first), on a baseline.
    static func responseSparkline(_ values: [Double], width: Int = 120, height: Int = 24) -> String {
        guard values.count > 1, let peak = values.max(), peak > 0 else { return "" }
        let step = Double(width) / Double(values.count - 1)
        let plot = Double(height) - 2
        let points = values.enumerated().map { i, v in "\(fmt(Double(i) * step)),\(fmt(1 + plot - plot * v / peak))" }.joined(separator: " ")
        return "<svg class=\"spark line\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" role=\"img\" aria-label=\"response time, peak \(Int(peak)) ms\"><polyline points=\"\(points)\"/></svg>"
    }

    static func dayText(_ date: Date) -> String {
        let c = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
