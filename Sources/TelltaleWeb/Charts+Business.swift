import Foundation

extension Charts {
    /// A share of a whole as a horizontal bar (a funnel step's users of the first step, a
    /// segment's conversion), for a table cell; the figure itself is in the cell's text.
    static func shareBar(_ share: Double?) -> String {
        let width = 1_000 * min(1, max(0, share ?? 0))
        return "<svg class=\"sharebar\" viewBox=\"0 0 1000 12\" preserveAspectRatio=\"none\" aria-hidden=\"true\">"
            + "<rect class=\"track\" x=\"0\" y=\"0\" width=\"1000\" height=\"12\"/><rect class=\"value\" x=\"0\" y=\"0\" width=\"\(fmt(width))\" height=\"12\"/></svg>"
    }
}
