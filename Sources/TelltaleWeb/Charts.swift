import Foundation
import TelltaleCore

/// Charts as inline SVG, drawn on the server: no chart library, nothing to load. The
/// markup holds only numbers and Telltale's own labels, never event data.
enum Charts {
    /// A 24-bar sparkline of an issue's hourly events.
    static func sparkline(_ series: CountSeries?, width: Int = 96, height: Int = 24) -> String {
        let points = series?.points ?? []
        guard !points.isEmpty else { return "" }
        let peak = max(1, points.map(\.count).max() ?? 1)
        let slot = Double(width) / Double(points.count)
        var svg = "<svg class=\"spark\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" role=\"img\" aria-label=\"events in the last 24 hours: \(points.reduce(0) { $0 + $1.count })\">"
        for (i, point) in points.enumerated() where point.count > 0 {
            let h = max(1.5, Double(height) * Double(point.count) / Double(peak))
            svg += "<rect x=\"\(fmt(Double(i) * slot))\" y=\"\(fmt(Double(height) - h))\" width=\"\(fmt(max(1, slot - 1)))\" height=\"\(fmt(h))\"><title>\(point.count)</title></rect>"
        }
        return svg + "</svg>"
    }

    /// Levels from most to least severe: stacking order and legend order.
    static let levels = ["fatal", "error", "warning", "info", "debug"]

    /// Events per bucket stacked by level, with an hour or day axis.
    static func trend(_ byLevel: [String: CountSeries], bucketSeconds: Int64, width: Int = 720, height: Int = 180) -> String {
        guard let reference = byLevel.values.first(where: { !$0.points.isEmpty }) else { return "" }
        let starts = reference.points.map(\.start)
        let totals = starts.indices.map { i in levels.reduce(Int64(0)) { $0 + (byLevel[$1]?.points[safe: i]?.count ?? 0) } }
        let peak = max(1, totals.max() ?? 1)
        let axis = 22.0, top = 8.0
        let plot = Double(height) - axis - top
        let slot = Double(width) / Double(starts.count)
        var svg = "<svg class=\"trend\" viewBox=\"0 0 \(width) \(height)\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"events per \(bucketSeconds >= 86_400 ? "day" : "hour"), by level; peak \(peak)\">"
        svg += "<line class=\"grid\" x1=\"0\" x2=\"\(width)\" y1=\"\(fmt(top))\" y2=\"\(fmt(top))\"/><text class=\"peak\" x=\"2\" y=\"\(fmt(top + 10))\">\(peak)</text>"
        for (i, start) in starts.enumerated() {
            var y = top + plot
            for level in levels.reversed() {
                let count = byLevel[level]?.points[safe: i]?.count ?? 0
                guard count > 0 else { continue }
                let h = plot * Double(count) / Double(peak)
                y -= h
                svg += "<rect class=\"lv-\(level)\" x=\"\(fmt(Double(i) * slot + 1))\" y=\"\(fmt(y))\" width=\"\(fmt(max(1, slot - 2)))\" height=\"\(fmt(h))\"><title>\(label(start, bucketSeconds)): \(count) \(level)</title></rect>"
            }
            let every = bucketSeconds >= 86_400 ? 1 : 4
            if i % every == 0 {
                svg += "<text class=\"axis\" x=\"\(fmt(Double(i) * slot + slot / 2))\" y=\"\(height - 6)\" text-anchor=\"middle\">\(label(start, bucketSeconds))</text>"
            }
        }
        return svg + "</svg>"
    }

    private static func label(_ start: Int64, _ bucket: Int64) -> String {
        let date = Date(timeIntervalSince1970: TimeInterval(start))
        let c = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        return bucket >= 86_400 ? String(format: "%02d-%02d", c.month ?? 0, c.day ?? 0) : String(format: "%02d:00", c.hour ?? 0)
    }

    private static func fmt(_ value: Double) -> String {
        String(format: "%.1f", value)
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
