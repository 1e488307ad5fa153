import Foundation
import TelltaleCore
import Testing
@testable import TelltaleWeb

/// The shared bar chart: round ticks on a count axis, time labels as HTML (never stretched
/// SVG text), the zone named, values on hover, an empty state; sparklines on a baseline.
@Suite("Charts")
struct ChartTests {
    static let tickCases: [(Int64, [Int64])] = [
        (0, [0, 1]), (1, [0, 1]), (3, [0, 1, 2, 3]), (7, [0, 2, 4, 6, 8]), (10, [0, 5, 10]), (37, [0, 10, 20, 30, 40]), (950, [0, 500, 1_000]),
    ]

    @Test("count axes take round steps up to the peak", arguments: tickCases)
    func ticks(peak: Int64, expected: [Int64]) {
        #expect(Charts.roundTicks(max: peak) == expected)
    }

    static func series(_ counts: [Int64]) -> [String: CountSeries] {
        let start: Int64 = 1_700_000_000 / 3_600 * 3_600
        return ["error": CountSeries(points: counts.enumerated().map { (start: start + Int64($0.offset) * 3_600, count: $0.element) })]
    }

    @Test("axes are HTML labels beside a stretched SVG, with the zone, hover values and ticks")
    func axes() {
        let html = Charts.trend(Self.series((0..<24).map { Int64($0 % 5) }), bucketSeconds: 3_600)
        #expect(html.contains("class=\"yaxis\"") && html.contains("class=\"xaxis\""))
        #expect(html.contains("data-time=") && html.contains("<span class=\"zone\">UTC</span>"))
        #expect(html.contains("<title>") && html.contains(" error ("))
        // Text never sits inside the stretched SVG, where it would be distorted.
        let svg = html[html.range(of: "<svg")!.lowerBound..<html.range(of: "</svg>")!.upperBound]
        #expect(svg.contains("preserveAspectRatio=\"none\"") && !svg.contains("<text"))
        #expect(html.contains(">4</span>") && html.contains(">0</span>"))
        #expect(!html.contains("No events in this period"))
    }

    @Test("an empty period says so")
    func empty() {
        #expect(Charts.trend(Self.series(Array(repeating: 0, count: 24)), bucketSeconds: 3_600).contains("No events in this period"))
        #expect(Charts.trend([:], bucketSeconds: 3_600).contains("No data for this period"))
    }

    @Test("sparklines draw a baseline")
    func sparkline() {
        #expect(Charts.sparkline(Self.series([0, 2, 0])["error"]).contains("class=\"base\""))
    }
}
