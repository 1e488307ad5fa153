import Foundation

/// Lays a ``StatusSnapshot`` out for a terminal of a given size (pure: the same snapshot and
/// size give the same lines, so it is tested without a terminal). Lines are cut to the width;
/// sections share the height, each showing as many rows as fit. With `color`, ANSI SGR
/// styles mark the header, states and the selected row (a hand-written drawing layer: no
/// listed package draws terminal screens).
struct StatusScreen {
    var width: Int
    var height: Int
    var color: Bool

    /// The screen's lines, and the selectable rows in the order they appear.
    struct Frame {
        var lines: [String]
        var actions: [StatusAction]
    }

    static let bars = Array("▁▂▃▄▅▆▇█")

    func render(_ snapshot: StatusSnapshot, selected: Int?, message: String?) -> Frame {
        let width = max(20, self.width)
        var lines: [String] = []
        var actions: [StatusAction] = []
        func add(_ text: String, style: String? = nil) { lines.append(styled(fit(text, width), style)) }

        let time = Self.clock(snapshot.takenAt)
        let right = "\(snapshot.ready ? "ready" : "NOT READY") · \(time) UTC"
        let left = "Telltale · \(snapshot.organization) · \(snapshot.server)"
        add(left.count + right.count + 1 <= width ? left + String(repeating: " ", count: width - left.count - right.count) + right : left + " · " + right,
            style: "1")
        let total = snapshot.eventsPerMinute.reduce(0, +)
        let spark = Self.sparkline(Array(snapshot.eventsPerMinute.suffix(max(1, width - 44))))
        add("Events/min \(spark) now \(snapshot.eventsPerMinute.last ?? 0) · \(snapshot.eventsPerMinute.count) min \(total)")
        var health = ["queue \(snapshot.queueDepth.map(String.init) ?? "?")"]
        if let latency = snapshot.ingestLatencyMs { health.append(String(format: "ingest %.1f ms", latency)) }
        if let bytes = snapshot.residentBytes { health.append("memory \(Int(bytes / 1_048_576)) MB") }
        if let cpu = snapshot.cpuPercent { health.append(String(format: "CPU %.0f %%", cpu)) }
        add("Server: " + health.joined(separator: " · "))
        let counts = snapshot.monitorCounts
        add("Monitors: " + (counts.isEmpty ? "none" : counts.map { "\($0.count) \($0.state)" }.joined(separator: " · ")),
            style: counts.contains { $0.state == "down" } ? "31" : nil)

        // Sections share what is left above the two footer lines.
        let sections: [(title: String, rows: [(text: String, action: StatusAction, alert: Bool)])] = [
            ("New issues, 24 h", snapshot.newIssues.map { (Self.issueText($0), .issue($0), false) }),
            ("Regressed", snapshot.regressedIssues.map { (Self.issueText($0), .issue($0), true) }),
            ("Open incidents", snapshot.incidents.filter { $0.status != "resolved" }.map {
                ("#\($0.id) [\($0.severity)] \($0.status)  \($0.title)", .incident($0), $0.status == "triggered")
            }),
            ("Monitors", snapshot.monitors.sorted { Self.rank($0.status) < Self.rank($1.status) }.filter { $0.status != "paused" }.map {
                ("\($0.name)  \($0.status)", .monitor($0), $0.status == "down")
            }),
        ]
        let room = max(0, height - lines.count - 2 - sections.count)
        let quotas = Self.share(room, among: sections.map { max(1, $0.rows.count) })
        for (section, quota) in zip(sections, quotas) {
            let more = section.rows.count > quota ? " (\(section.rows.count - quota) more)" : ""
            add("── \(section.title)\(more) " + String(repeating: "─", count: max(0, width - section.title.count - more.count - 4)), style: "2")
            if section.rows.isEmpty, quota > 0 {
                add("  none")
                continue
            }
            for row in section.rows.prefix(quota) {
                let index = actions.count
                actions.append(row.action)
                let mark = index == selected ? "›" : " "
                add("\(mark) \(row.text)", style: index == selected ? "7" : row.alert ? "31" : nil)
            }
        }
        while lines.count < height - 2 { lines.append("") }
        add(message ?? "")
        add("q quit · ↑↓ select · o open · a acknowledge · p pause · r refresh", style: "2")
        return Frame(lines: Array(lines.prefix(max(1, height))), actions: actions)
    }

    /// The snapshot as plain text, for output that is not a terminal.
    static func plain(_ snapshot: StatusSnapshot) -> String {
        let rows = [snapshot.newIssues.count, snapshot.regressedIssues.count, snapshot.incidents.count, snapshot.monitors.count].map { max(1, $0) }
        // Tall enough for every row: four lines on top, a title per section, the two footer lines.
        var text = StatusScreen(width: 100, height: 4 + rows.count + rows.reduce(0, +) + 2, color: false).render(snapshot, selected: nil, message: nil).lines
        text.removeLast()
        while text.last == "" { text.removeLast() }
        return text.joined(separator: "\n")
    }

    /// `HH:MM:SS` in UTC.
    static func clock(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down)) % 86_400
        return String(format: "%02d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
    }

    static func issueText(_ issue: StatusSnapshot.IssueLine) -> String {
        "#\(issue.id) \(issue.project)  \(issue.title)  ×\(issue.count)\(issue.severity.map { " [\($0)]" } ?? "")"
    }

    static func rank(_ state: String) -> Int { ["down": 0, "degraded": 1, "pending": 2, "up": 3][state] ?? 4 }

    /// Bars scaled to the largest value; a minute without events is the lowest bar.
    static func sparkline(_ values: [Int]) -> String {
        let top = max(1, values.max() ?? 1)
        return String(values.map { bars[min(bars.count - 1, $0 * (bars.count - 1) / top)] })
    }

    /// `room` rows shared among sections wanting `wants` rows: each gets what it wants
    /// while they fit; otherwise rows go one at a time to the section furthest from its want.
    static func share(_ room: Int, among wants: [Int]) -> [Int] {
        var given = Array(repeating: 0, count: wants.count)
        var left = room
        while left > 0, let next = wants.indices.filter({ given[$0] < wants[$0] }).min(by: { given[$0] < given[$1] }) {
            given[next] += 1
            left -= 1
        }
        return given
    }

    /// `text` cut to `width` characters (with an ellipsis) or as it is.
    func fit(_ text: String, _ width: Int) -> String {
        text.count <= width ? text : String(text.prefix(width - 1)) + "…"
    }

    func styled(_ text: String, _ style: String?) -> String {
        guard color, let style, !text.isEmpty else { return text }
        return "\u{1B}[\(style)m\(text)\u{1B}[0m"
    }
}
