import Foundation
import TelltaleCore

/// Charts drawn on the server: no chart library, nothing to load. The markup holds only
/// numbers and Telltale's own labels, never event data. Shared by every page with a chart.
///
/// A bar chart is a `<figure>`: the bars are an SVG stretched to the plot's box (so they fill
/// any width), while the axis labels are HTML placed by percentage, so text keeps its size at
/// 390 px and at 1440 px. Times are labelled in UTC; app.js rewrites them (and the caption's
/// zone) to the reader's local time zone.
enum Charts {
    /// A 24-bar sparkline of an issue's hourly events, on a baseline; hours starting at one of
    /// `marks` (seconds, a detected spike's start) are drawn as such.
    static func sparkline(_ series: CountSeries?, marks: Set<Int64> = [], width: Int = 96, height: Int = 24) -> String {
        let points = series?.points ?? []
        guard !points.isEmpty else { return "" }
        let peak = max(1, points.map(\.count).max() ?? 1)
        let slot = Double(width) / Double(points.count)
        let plot = Double(height) - 1
        let total = points.reduce(0) { $0 + $1.count }
        func holdsSpike(_ start: Int64) -> Bool { marks.contains { $0 >= start && $0 < start + 3_600 } }
        let spiked = points.filter { holdsSpike($0.start) }.count
        let spikes = spiked == 0 ? "" : ", \(spiked) hour\(spiked == 1 ? "" : "s") with a spike"
        var svg = "<svg class=\"spark\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" role=\"img\" aria-label=\"events in the last 24 hours: \(total)\(spikes)\">"
        svg += "<line class=\"base\" x1=\"0\" x2=\"\(width)\" y1=\"\(fmt(plot + 0.5))\" y2=\"\(fmt(plot + 0.5))\"/>"
        for (i, point) in points.enumerated() where point.count > 0 {
            let h = max(1.5, plot * Double(point.count) / Double(peak))
            let spike = holdsSpike(point.start)
            svg += "<rect\(spike ? " class=\"spiked\"" : "") x=\"\(fmt(Double(i) * slot))\" y=\"\(fmt(plot - h))\" width=\"\(fmt(max(1, slot - 1)))\" height=\"\(fmt(h))\"><title>\(hourLabel(point.start)) UTC: \(point.count)\(spike ? ", a spike" : "")</title></rect>"
        }
        return svg + "</svg>"
    }

    /// Levels from most to least severe: stacking order and legend order.
    static let levels = ["fatal", "error", "warning", "info", "debug"]

    /// Events per bucket stacked by level, with time and count axes.
    static func trend(_ byLevel: [String: CountSeries], bucketSeconds: Int64, marks: [Int64] = []) -> String {
        let series = levels.compactMap { level in byLevel[level].map { (name: level, points: $0.points) } }
        return stackedBars(series, bucketSeconds: bucketSeconds, unit: "events", marks: marks)
    }

    /// Bars per time bucket, each stacked from `series` (drawn with class `lv-<name>`), with a
    /// count axis of round ticks, a time axis, hover values (SVG titles) and an empty state.
    /// Buckets holding one of `marks` (seconds: detected spikes) are shaded behind their bars.
    static func stackedBars(_ series: [(name: String, points: [(start: Int64, count: Int64)])], bucketSeconds: Int64, unit: String, caption: String? = nil,
                            marks: [Int64] = []) -> String {
        guard let starts = series.first(where: { !$0.points.isEmpty })?.points.map(\.start) else {
            return "<p class=\"muted chart-empty\">No data for this period.</p>"
        }
        let daily = bucketSeconds >= 86_400
        let label: (Int64) -> String = { start in daily ? dayLabel(start) : bucketSeconds < 3_600 ? minuteLabel(start) : hourLabel(start) }
        let totals = starts.indices.map { i in series.reduce(Int64(0)) { $0 + ($1.points[safe: i]?.count ?? 0) } }
        let ticks = roundTicks(max: totals.max() ?? 0)
        let top = Double(ticks.last ?? 1)
        let width = 1_000.0, height = 100.0
        let slot = width / Double(starts.count)
        let per = daily ? "day" : bucketSeconds < 3_600 ? "minute" : "hour"
        var html = "<figure class=\"barchart\"><div class=\"plotarea\">"
        html += "<div class=\"yaxis\" aria-hidden=\"true\">"
        for tick in ticks { html += "<span style=\"bottom:\(fmt(100 * Double(tick) / top))%\">\(tick)</span>" }
        html += "</div><div class=\"plot\">"
        html += "<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"\(unit) per \(per); total \(totals.reduce(0, +)), peak \(totals.max() ?? 0)\">"
        for tick in ticks {
            let y = height - height * Double(tick) / top
            html += "<line class=\"\(tick == 0 ? "axisline" : "grid")\" x1=\"0\" x2=\"\(Int(width))\" y1=\"\(fmt(y))\" y2=\"\(fmt(y))\"/>"
        }
        var marked = 0
        for (i, start) in starts.enumerated() where marks.contains(where: { $0 >= start && $0 < start + bucketSeconds }) {
            marked += 1
            html += "<rect class=\"spike-band\" x=\"\(fmt(Double(i) * slot))\" y=\"0\" width=\"\(fmt(slot))\" height=\"\(Int(height))\"><title>\(label(start)) UTC: a spike was detected</title></rect>"
        }
        for (i, start) in starts.enumerated() {
            var y = height
            let when = label(start)
            for entry in series.reversed() {
                let count = entry.points[safe: i]?.count ?? 0
                guard count > 0 else { continue }
                let h = height * Double(count) / top
                y -= h
                let value = caption != nil && series.count == 1 ? "\(count) \(unit)" : "\(count) \(entry.name) (\(totals[i]) \(unit))"
                html += "<rect class=\"lv-\(entry.name)\" x=\"\(fmt(Double(i) * slot + slot * 0.1))\" y=\"\(fmt(y))\" width=\"\(fmt(slot * 0.8))\" height=\"\(fmt(h))\"><title>\(when) UTC: \(value)</title></rect>"
            }
        }
        html += "</svg>"
        if totals.allSatisfy({ $0 == 0 }) { html += "<p class=\"chart-empty\">\(caption == nil ? "No \(unit)" : "No data") in this period.</p>" }
        html += "</div><span></span><div class=\"xaxis\" aria-hidden=\"true\">"
        // About eight labels whatever the number of bars.
        let every = daily ? max(1, starts.count / 10) : max(1, (starts.count + 7) / 8)
        for (i, start) in starts.enumerated() where i % every == 0 {
            // Every other label hides on narrow screens (CSS), so labels never overlap.
            let minor = (i / every) % 2 == 1 ? " minor" : ""
            html += "<span class=\"tick\(minor)\" style=\"left:\(fmt(100 * (Double(i) + 0.5) / Double(starts.count)))%\" data-time=\"\(start)\" data-format=\"\(daily ? "day" : "hour")\">\(label(start))</span>"
        }
        let title = caption ?? "\(unit.prefix(1).uppercased() + unit.dropFirst()) per \(per)"
        let shaded = marked > 0 ? " Shaded: \(marked) \(per)\(marked == 1 ? "" : "s") with a detected spike." : ""
        html += "</div></div><figcaption class=\"muted small\">\(title); times in <span class=\"zone\">UTC</span>. Hover a bar for its values.\(shaded)</figcaption></figure>"
        return html
    }

    /// 0 and round steps (1, 2 or 5 × 10ⁿ) up to at least `max`: three to five ticks.
    static func roundTicks(max: Int64) -> [Int64] {
        guard max > 0 else { return [0, 1] }
        var step: Int64 = 1
        while true {
            for factor: Int64 in [1, 2, 5] where (max + step * factor - 1) / (step * factor) <= 4 {
                let stepSize = step * factor
                let count = (max + stepSize - 1) / stepSize
                return (0...count).map { $0 * stepSize }
            }
            step *= 10
        }
    }

    static func hourLabel(_ start: Int64) -> String {
        let c = components(start)
        return String(format: "%02d:00", c.hour ?? 0)
    }

    static func minuteLabel(_ start: Int64) -> String {
        let c = components(start)
        return String(format: "%02d:%02d", c.hour ?? 0, c.minute ?? 0)
    }

    static func dayLabel(_ start: Int64) -> String {
        let c = components(start)
        return String(format: "%02d-%02d", c.month ?? 0, c.day ?? 0)
    }

    private static func components(_ start: Int64) -> DateComponents {
        Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: Date(timeIntervalSince1970: TimeInterval(start)))
    }

    static func fmt(_ value: Double) -> String {
        String(format: "%.1f", value)
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
