import Foundation

/// Charts of the performance pages: a histogram of durations, a gauge per web vital, and
/// the bar of a span in a waterfall. SVG only; labels are Telltale's own numbers.
extension Charts {
    /// Bars over categories (a duration histogram): one bar per label, a count axis.
    static func categoryBars(_ bars: [(label: String, count: Int64)], unit: String, caption: String) -> String {
        guard !bars.isEmpty else { return "<p class=\"muted chart-empty\">No data for this period.</p>" }
        let ticks = roundTicks(max: bars.map(\.count).max() ?? 0)
        let top = Double(ticks.last ?? 1)
        let width = 1_000.0, height = 100.0
        let slot = width / Double(bars.count)
        var html = "<figure class=\"barchart\"><div class=\"plotarea\"><div class=\"yaxis\" aria-hidden=\"true\">"
        for tick in ticks { html += "<span style=\"bottom:\(fmt(100 * Double(tick) / top))%\">\(tick)</span>" }
        html += "</div><div class=\"plot\"><svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"\(escape(caption)): \(bars.reduce(0) { $0 + $1.count }) \(unit)\">"
        for tick in ticks {
            let y = height - height * Double(tick) / top
            html += "<line class=\"\(tick == 0 ? "axisline" : "grid")\" x1=\"0\" x2=\"\(Int(width))\" y1=\"\(fmt(y))\" y2=\"\(fmt(y))\"/>"
        }
        for (i, bar) in bars.enumerated() where bar.count > 0 {
            let h = height * Double(bar.count) / top
            html += "<rect class=\"lv-response\" x=\"\(fmt(Double(i) * slot + slot * 0.1))\" y=\"\(fmt(height - h))\" width=\"\(fmt(slot * 0.8))\" height=\"\(fmt(h))\"><title>from \(escape(bar.label)): \(bar.count) \(unit)</title></rect>"
        }
        html += "</svg></div><span></span><div class=\"xaxis\" aria-hidden=\"true\">"
        let every = max(1, (bars.count + 3) / 4)
        for (i, bar) in bars.enumerated() where i % every == 0 {
            html += "<span class=\"tick\" style=\"left:\(fmt(100 * (Double(i) + 0.5) / Double(bars.count)))%\">\(escape(bar.label))</span>"
        }
        return html + "</div></div><figcaption class=\"muted small\">\(escape(caption)). Hover a bar for its count.</figcaption></figure>"
    }

    /// A half-circle gauge filled to `share` (0…1) in the rating's colour, the value in words beside it.
    static func gauge(share: Double, rating: String, label: String) -> String {
        let r = 40.0, cx = 50.0, cy = 48.0
        let angle = Double.pi * (1 - min(1, max(0, share)))
        let x = cx + r * cos(angle), y = cy - r * sin(angle)
        let track = "M \(fmt(cx - r)) \(fmt(cy)) A \(fmt(r)) \(fmt(r)) 0 0 1 \(fmt(cx + r)) \(fmt(cy))"
        let fill = "M \(fmt(cx - r)) \(fmt(cy)) A \(fmt(r)) \(fmt(r)) 0 0 1 \(fmt(x)) \(fmt(y))"
        return "<svg class=\"gauge rating-\(rating)\" viewBox=\"0 0 100 54\" width=\"120\" height=\"65\" role=\"img\" aria-label=\"\(escape(label))\">"
            + "<path class=\"track\" d=\"\(track)\"/><path class=\"value\" d=\"\(fill)\"/></svg>"
    }

    /// A span's bar in a waterfall row: where it starts and how long it runs, of the whole.
    static func spanBar(offset: Double, duration: Double, total: Double, op: String) -> String {
        let whole = max(total, offset + duration, 0.001)
        let x = 1_000 * offset / whole, w = max(2, 1_000 * duration / whole)
        let family = op.split(separator: ".").first.map(String.init) ?? "other"
        let kind = ["db", "http", "cache", "pageload", "navigation", "resource", "browser"].contains(family) ? family : "other"
        return "<svg class=\"spanbar\" viewBox=\"0 0 1000 10\" preserveAspectRatio=\"none\" aria-hidden=\"true\"><rect class=\"op-\(kind)\" x=\"\(fmt(x))\" y=\"0\" width=\"\(fmt(w))\" height=\"10\"/></svg>"
    }
}
