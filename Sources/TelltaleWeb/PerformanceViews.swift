import Foundation
import TelltaleCore
import TelltalePerformance

/// What every performance page starts from: the organization, the project, the window.
struct PerformancePage: Sendable {
    var scope: PageScope
    var project: Project
    var window: PerformanceWindow
    var sort: String
    var path: String

    var chrome: Chrome { scope.chrome }
    var orgPath: String { scope.orgPath }
    var projectSlug: String { project.slug.rawValue }
    var period: String { window.period }

    /// `path` with this page's project and period, and `extra` parameters.
    func link(_ path: String, _ extra: [(String, String)] = []) -> String {
        var items = [("project", projectSlug), ("statsPeriod", period)] + extra
        if let environment = window.environment { items.append(("environment", environment)) }
        return path + "?" + items.map { "\($0.0)=\(Self.encode($0.1))" }.joined(separator: "&")
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }

    struct Link: Sendable {
        var label: String
        var href: String
        var active: Bool
    }

    var projects: [Link] {
        scope.projects.map { Link(label: $0.slug.rawValue, href: "\(path)?project=\(Self.encode($0.slug.rawValue))&statsPeriod=\(period)", active: $0.id == project.id) }
    }

    var periods: [Link] {
        PerformanceWindow.periods.map { p in
            Link(label: p, href: "\(path)?project=\(Self.encode(projectSlug))&statsPeriod=\(p)", active: p == period)
        }
    }

    var tabs: [Link] {
        [Link(label: "Transactions", href: link("\(orgPath)/performance/"), active: path.hasSuffix("/performance/")),
         Link(label: "Web Vitals", href: link("\(orgPath)/performance/web-vitals/"), active: path.hasSuffix("/web-vitals/")),
         Link(label: "Releases", href: link("\(orgPath)/releases/"), active: path.contains("/releases/"))]
    }
}

/// The header of every performance page, as stored values (templates read stored properties).
struct PerformanceNav: Sendable {
    var orgPath: String
    var project: String
    var period: String
    var projects: [PerformancePage.Link]
    var periods: [PerformancePage.Link]
    var tabs: [PerformancePage.Link]
    var manyProjects: Bool

    init(_ page: PerformancePage) {
        orgPath = page.orgPath
        project = page.projectSlug
        period = page.period
        projects = page.projects
        periods = page.periods
        tabs = page.tabs
        manyProjects = page.projects.count > 1
    }
}

/// Formats of the performance pages.
enum PerfFormat {
    static func ms(_ value: Double?) -> String {
        guard let value else { return "–" }
        if value < 1 { return "<1 ms" }
        if value < 1000 { return "\(Int(value.rounded())) ms" }
        return String(format: "%.2f s", value / 1000)
    }

    static func percent(_ value: Double?) -> String {
        guard let value else { return "–" }
        return value > 0 && value < 0.001 ? "<0.1%" : String(format: "%.1f%%", value * 100)
    }

    static func score(_ value: Double?) -> String { value.map { String(format: "%.2f", $0) } ?? "–" }

    /// A 0…1 performance score out of 100.
    static func hundred(_ value: Double?) -> String { value.map { String(Int(($0 * 100).rounded())) } ?? "–" }

    static func vital(_ value: Double?, _ vital: String) -> String {
        guard let value else { return "–" }
        return vital == "cls" ? String(format: "%.3f", value) : ms(value)
    }
}

struct TransactionRowView: Sendable {
    var name: String
    var href: String
    var count: String
    var tpm: String
    var failureRate: String
    var p50: String
    var p75: String
    var p95: String
    var p99: String
    var apdex: String
    var userMisery: String

    init(_ row: TransactionRow, page: PerformancePage) {
        name = row.name
        href = page.link("\(page.orgPath)/performance/transaction/", [("name", row.name)])
        count = WebFormat.count(row.count)
        tpm = String(format: "%.2f", row.tpm)
        failureRate = PerfFormat.percent(row.failureRate)
        (p50, p75, p95, p99) = (PerfFormat.ms(row.p50), PerfFormat.ms(row.p75), PerfFormat.ms(row.p95), PerfFormat.ms(row.p99))
        apdex = PerfFormat.score(row.apdex)
        userMisery = PerfFormat.score(row.userMisery)
    }
}

struct SpanRowView: Sendable {
    var op: String
    var description: String
    var count: String
    var p50: String
    var p95: String
    var total: String
    var level: String?
    var exampleHref: String?

    init(_ row: SpanRow, page: PerformancePage) {
        op = row.op
        description = row.description
        count = WebFormat.count(row.count)
        p50 = PerfFormat.ms(row.p50)
        p95 = PerfFormat.ms(row.p95)
        total = PerfFormat.ms(row.totalMilliseconds)
        level = row.level
        exampleHref = row.exampleEventID.map { page.link("\(page.orgPath)/performance/events/\($0)/") }
    }
}

/// Throughput, p95 and failure-rate charts of one series.
struct PerformanceCharts: Sendable {
    var throughput: String
    var p95: String
    var failures: String

    init(_ series: [SeriesPoint], resolution: Int64) {
        let seconds = resolution / 1000
        func points(_ value: (SeriesPoint) -> Int64) -> [(start: Int64, count: Int64)] {
            series.map { (Int64($0.time.timeIntervalSince1970), value($0)) }
        }
        let per = seconds < 3_600 ? "minute" : seconds < 86_400 ? "hour" : "day"
        throughput = Charts.stackedBars([(name: "response", points: points { $0.count })], bucketSeconds: seconds, unit: "transactions",
                                        caption: "Transactions per \(per)")
        p95 = Charts.stackedBars([(name: "response", points: points { Int64(($0.p95 ?? 0).rounded()) })], bucketSeconds: seconds, unit: "ms",
                                 caption: "p95 duration (ms) per \(per)")
        failures = Charts.stackedBars([(name: "error", points: points { Int64((($0.failureRate ?? 0) * 100).rounded()) })], bucketSeconds: seconds,
                                      unit: "% failed", caption: "Failure rate (%) per \(per)")
    }
}

struct PerformanceListView: Sendable {
    var chrome: Chrome
    var nav: PerformanceNav
    var rows: [TransactionRowView]
    var charts: PerformanceCharts
    var slowQueries: [SpanRowView]
    var hasRows: Bool
    var hasSlowQueries: Bool
    var columns: [Column]

    struct Column: Sendable {
        var label: String
        var href: String
        var sort: String
        var sorted: Bool
        var numeric: Bool
    }

    init(page: PerformancePage, rows: [TransactionRowView], charts: PerformanceCharts, slowQueries: [SpanRowView]) {
        chrome = page.chrome
        nav = PerformanceNav(page)
        self.rows = rows
        self.charts = charts
        self.slowQueries = slowQueries
        hasRows = !rows.isEmpty
        hasSlowQueries = !slowQueries.isEmpty
        // Column headers sort by themselves; a second click reverses.
        let names = [("Transaction", "name"), ("Count", "count"), ("TPM", "tpm"), ("Failure rate", "failure_rate"), ("p50", "p50"), ("p75", "p75"),
                     ("p95", "p95"), ("p99", "p99"), ("Apdex", "apdex"), ("User misery", "user_misery")]
        columns = names.map { label, key in
            let current = page.sort == key ? "ascending" : page.sort == "-" + key ? "descending" : "none"
            let next = page.sort == "-" + key ? key : "-" + key
            return Column(label: label, href: page.link("\(page.orgPath)/performance/", [("sort", next)]), sort: current, sorted: current != "none",
                          numeric: key != "name")
        }
    }
}

struct TransactionView: Sendable {
    var chrome: Chrome
    var nav: PerformanceNav
    struct Operation: Sendable { var op: String; var share: String; var mean: String; var p95: String }
    struct Sample: Sendable { var href: String; var duration: String; var when: String; var whenISO: String; var status: String; var release: String }
    struct Figure: Sendable { var label: String; var value: String }
    struct Vital: Sendable { var vital: String; var p75: String; var rating: String }

    var name: String
    var figures: [Figure]
    var charts: PerformanceCharts
    var histogram: String
    var operations: [Operation]
    var samples: [Sample]
    var spans: [SpanRowView]
    var vitals: [Vital]

    var hasVitals: Bool
    var backHref: String

    init(_ detail: PerformanceReports.TransactionDetail, page: PerformancePage) {
        chrome = page.chrome
        nav = PerformanceNav(page)
        backHref = page.link("\(page.orgPath)/performance/")
        let s = detail.summary
        name = s.name
        figures = [("Transactions", WebFormat.count(s.count)), ("Per minute", String(format: "%.2f", s.tpm)), ("Failure rate", PerfFormat.percent(s.failureRate)),
                   ("p50", PerfFormat.ms(s.p50)), ("p95", PerfFormat.ms(s.p95)), ("p99", PerfFormat.ms(s.p99)),
                   ("Apdex (T = \(Int(s.threshold)) ms)", PerfFormat.score(s.apdex)), ("User misery", PerfFormat.score(s.userMisery)),
                   ("Users", WebFormat.count(s.users))].map { Figure(label: $0.0, value: $0.1) }
        charts = PerformanceCharts(detail.series, resolution: detail.resolutionSeconds * 1000)
        histogram = Charts.categoryBars(detail.histogram.map { (PerfFormat.ms($0.lower), Int64($0.count)) },
                                        unit: "transactions", caption: "Duration distribution (log scale)")
        operations = detail.operations.map { Operation(op: $0.op, share: PerfFormat.percent($0.share), mean: PerfFormat.ms($0.meanMilliseconds), p95: PerfFormat.ms($0.p95)) }
        samples = detail.samples.map { sample in
            Sample(href: page.link("\(page.orgPath)/performance/events/\(sample.eventID)/"), duration: PerfFormat.ms(sample.durationMilliseconds),
                   when: WebFormat.relative(sample.timestamp), whenISO: WebFormat.iso(sample.timestamp), status: sample.status ?? "ok", release: sample.release ?? "–")
        }
        spans = detail.slowestSpans.map { SpanRowView($0, page: page) }
        vitals = detail.vitals.map { Vital(vital: $0.vital.uppercased(), p75: PerfFormat.vital($0.p75, $0.vital), rating: $0.rating ?? "none") }
        hasVitals = !vitals.isEmpty
    }
}

struct TraceView: Sendable {
    var chrome: Chrome
    var nav: PerformanceNav
    struct Row: Sendable { var op: String; var description: String; var indent: String; var duration: String; var bar: String }

    var name: String
    var eventID: String
    var duration: String
    var when: String
    var release: String
    var rows: [Row]
    var omitted: Int
    var hasOmitted: Bool
    var problems: [String]
    var transactionHref: String

    var hasProblems: Bool

    init(_ waterfall: Waterfall, sample: TransactionSample, page: PerformancePage) {
        chrome = page.chrome
        nav = PerformanceNav(page)
        name = waterfall.name
        eventID = waterfall.eventID
        duration = PerfFormat.ms(waterfall.duration)
        when = WebFormat.timestamp(sample.timestamp)
        release = sample.release ?? "–"
        rows = waterfall.rows.map { row in
            Row(op: row.op, description: row.description.isEmpty ? row.op : row.description, indent: "d\(min(row.depth, 8))",
                duration: PerfFormat.ms(row.duration), bar: Charts.spanBar(offset: row.offset, duration: row.duration, total: waterfall.duration, op: row.op))
        }
        omitted = waterfall.omitted
        hasOmitted = waterfall.omitted > 0
        problems = waterfall.problems
        hasProblems = !problems.isEmpty
        transactionHref = page.link("\(page.orgPath)/performance/transaction/", [("name", waterfall.name)])
    }
}

struct WebVitalsView: Sendable {
    var chrome: Chrome
    var nav: PerformanceNav
    struct Gauge: Sendable { var vital: String; var p75: String; var rating: String; var gauge: String; var good: String; var fair: String; var poor: String; var count: String }
    struct Group: Sendable { var value: String; var score: String; var cells: [Cell]; var href: String? }
    struct Cell: Sendable { var text: String; var rating: String }

    var score: String
    var gauges: [Gauge]
    var segment: String
    var segmentLinks: [PerformancePage.Link]
    var segments: [Group]
    var pages: [Group]
    var vitalNames: [String]
    var trend: String

    var hasData: Bool

    static let shown = ["lcp", "inp", "cls", "fcp", "ttfb"]

    init(_ report: PerformanceReports.WebVitalsReport, page: PerformancePage, segment: String) {
        chrome = page.chrome
        nav = PerformanceNav(page)
        self.segment = segment
        score = PerfFormat.hundred(report.score)
        gauges = report.vitals.filter { Self.shown.contains($0.vital) }.map { row in
            let rating = row.rating ?? "none"
            let label = "\(row.vital.uppercased()) p75 \(PerfFormat.vital(row.p75, row.vital)), \(rating)"
            return Gauge(vital: row.vital.uppercased(), p75: PerfFormat.vital(row.p75, row.vital), rating: rating,
                         gauge: Charts.gauge(share: row.p75.flatMap { WebVital(rawValue: row.vital)?.score($0) } ?? 0, rating: rating, label: label),
                         good: PerfFormat.percent(row.good), fair: PerfFormat.percent(row.needsImprovement), poor: PerfFormat.percent(row.poor),
                         count: WebFormat.count(row.count))
        }
        hasData = !gauges.isEmpty
        segmentLinks = PerformanceReports.segmentDimensions.map { d in
            PerformancePage.Link(label: d, href: page.link("\(page.orgPath)/performance/web-vitals/", [("segment", d)]), active: d == segment)
        }
        vitalNames = Self.shown.map { $0.uppercased() }
        func cells(_ group: PerformanceReports.WebVitalsReport.Group) -> [Cell] {
            Self.shown.map { name in
                let row = group.vitals.first { $0.vital == name }
                return Cell(text: PerfFormat.vital(row?.p75, name), rating: row?.rating ?? "none")
            }
        }
        segments = report.segments.map { Group(value: $0.value, score: PerfFormat.hundred($0.score), cells: cells($0), href: nil) }
        pages = report.pages.map { group in
            Group(value: group.value, score: PerfFormat.hundred(group.score), cells: cells(group),
                  href: page.link("\(page.orgPath)/performance/transaction/", [("name", group.value)]))
        }
        let seconds = report.resolutionSeconds
        trend = Charts.stackedBars([(name: "response", points: report.series.map { (Int64($0.time.timeIntervalSince1970), Int64(($0.p75["lcp"] ?? 0).rounded())) })],
                                   bucketSeconds: seconds, unit: "ms", caption: "LCP p75 (ms)")
    }
}

struct ReleaseRowView: Sendable {
    var version: String
    var href: String
    var adoption: String
    var crashFreeSessions: String
    var crashFreeUsers: String
    var sessions: String
    var errors: String
    var newIssues: String
    var p95: String
    var lastSeen: String

    init(_ row: ReleaseRow, page: PerformancePage) {
        version = row.version
        href = page.link("\(page.orgPath)/releases/\(PerformancePage.encode(row.version))/")
        adoption = PerfFormat.percent(row.adoption)
        crashFreeSessions = PerfFormat.percent(row.crashFreeSessions)
        crashFreeUsers = PerfFormat.percent(row.crashFreeUsers)
        sessions = WebFormat.count(row.sessions)
        errors = WebFormat.count(row.errors)
        newIssues = WebFormat.count(row.newIssues)
        p95 = PerfFormat.ms(row.p95)
        lastSeen = row.lastSeen.map { WebFormat.relative($0) } ?? "–"
    }
}

struct ReleasesView: Sendable {
    var chrome: Chrome
    var nav: PerformanceNav
    var rows: [ReleaseRowView]
    var hasRows: Bool

    init(page: PerformancePage, rows: [ReleaseRowView]) {
        chrome = page.chrome
        nav = PerformanceNav(page)
        self.rows = rows
        hasRows = !rows.isEmpty
    }
}

struct ReleaseView: Sendable {
    var chrome: Chrome
    var nav: PerformanceNav
    struct Compared: Sendable { var label: String; var this: String; var other: String }
    var release: ReleaseRowView
    var transactions: [TransactionRowView]
    var comparison: [Compared]
    var compareWith: String?
    var others: [String]
    var issuesHref: String

    var hasComparison: Bool
    var hasOthers: Bool
    var actionPath: String
    var projectSlug: String
    var period: String

    init(_ detail: PerformanceReports.ReleaseDetail, page: PerformancePage, others: [String]) {
        chrome = page.chrome
        nav = PerformanceNav(page)
        release = ReleaseRowView(detail.release, page: page)
        actionPath = "\(page.orgPath)/releases/\(PerformancePage.encode(detail.release.version))/"
        projectSlug = page.projectSlug
        period = page.period
        hasComparison = detail.comparison != nil
        transactions = detail.transactions.map { TransactionRowView($0, page: page) }
        self.others = others
        hasOthers = !others.isEmpty
        compareWith = detail.comparison?.version
        if let other = detail.comparison {
            let a = detail.release
            comparison = [
                Compared(label: "Crash-free sessions", this: PerfFormat.percent(a.crashFreeSessions), other: PerfFormat.percent(other.crashFreeSessions)),
                Compared(label: "Crash-free users", this: PerfFormat.percent(a.crashFreeUsers), other: PerfFormat.percent(other.crashFreeUsers)),
                Compared(label: "Errors", this: WebFormat.count(a.errors), other: WebFormat.count(other.errors)),
                Compared(label: "New issues", this: WebFormat.count(a.newIssues), other: WebFormat.count(other.newIssues)),
                Compared(label: "p95", this: PerfFormat.ms(a.p95), other: PerfFormat.ms(other.p95)),
                Compared(label: "Failure rate", this: PerfFormat.percent(a.failureRate), other: PerfFormat.percent(other.failureRate)),
            ]
        } else {
            comparison = []
        }
        issuesHref = "\(page.orgPath)/issues/?query=" + PerformancePage.encode("release:\(detail.release.version)")
    }
}
