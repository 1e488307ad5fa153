import Foundation
import Hummingbird
import Logging
import TelltaleCore
import TelltaleHTTP
import TelltaleMonitors

/// A monitor's page: state, exact uptime per window, response times, state timeline,
/// downtime periods, recent results and (for heartbeats) recent pings. Plus its actions.
extension HealthDashboard {
    struct MonitorView {
        struct Figure { var label: String; var value: String }
        struct DowntimeRow { var start: String; var startISO: String; var end: String; var endISO: String; var duration: String; var cause: String; var open: Bool }
        struct ResultRow { var time: String; var timeISO: String; var status: String; var response: String; var code: String; var message: String }
        struct PingRow { var time: String; var timeISO: String; var kind: String; var runID: String; var duration: String; var late: Bool; var body: String }

        var chrome: Chrome
        var id: String
        var name: String
        var type: String
        var component: String
        var status: String
        var since: String
        var sinceISO: String
        var target: String
        var lastMessage: String
        var isPaused: Bool
        var isActive: Bool
        var base: String
        var healthHref: String
        var uptime: [Figure]
        var latency: [Figure]
        var chart: String
        var timeline: String
        var downtimes: [DowntimeRow]
        var results: [ResultRow]
        var pingURL: String?
        var pingExamples: [String]
        var pings: [PingRow]
        var hasPings: Bool
        /// Incidents this monitor is linked to, newest first.
        var incidentLinks: LinkedIncidents?
    }

    func addMonitorRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        router.get("organizations/:org/monitors/:id/") { _, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .view, section: .health)
            let monitor = try await monitor(scope, context)
            return templates.page("monitor", try await monitorView(monitor, scope: scope))
        }
        router.post("organizations/:org/monitors/:id/pause") { _, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .triage, section: .health)
            let monitor = try await monitor(scope, context)
            _ = try await service.monitors.setPaused(monitor.id, true, now: service.now())
            return redirect("\(scope.orgPath)/monitors/\(monitor.id)/")
        }
        router.post("organizations/:org/monitors/:id/resume") { _, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .triage, section: .health)
            let monitor = try await monitor(scope, context)
            _ = try await service.monitors.setPaused(monitor.id, false, now: service.now())
            return redirect("\(scope.orgPath)/monitors/\(monitor.id)/")
        }
        router.post("organizations/:org/monitors/:id/run") { _, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .triage, section: .health)
            let monitor = try await monitor(scope, context)
            _ = try await service.runNow([monitor])
            return redirect("\(scope.orgPath)/monitors/\(monitor.id)/")
        }
        router.post("organizations/:org/monitors/:id/delete") { _, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .manage, section: .health)
            let monitor = try await monitor(scope, context)
            _ = try await service.monitors.delete(monitor.id)
            context.logger.info("Deleted a monitor", metadata: ["monitor.id": "\(monitor.id)"])
            return redirect("\(scope.orgPath)/health/")
        }
    }

    func monitorView(_ monitor: Monitor, scope: PageScope) async throws -> MonitorView {
        let now = service.now()
        let windows: [(String, TimeInterval)] = [("24 hours", 86_400), ("7 days", 7 * 86_400), ("30 days", 30 * 86_400), ("90 days", 90 * 86_400)]
        var uptime: [MonitorView.Figure] = []
        for (label, span) in windows {
            let report = try await service.uptime(monitor, window: TimeRange(start: now.addingTimeInterval(-span), end: now))
            let down = report.downtimeSeconds > 0 ? " (down \(WebFormat.exactDuration(report.downtimeSeconds)))" : ""
            uptime.append(.init(label: "Uptime, \(label)", value: (report.uptimePercent.map(WebFormat.percent) ?? "–") + down))
        }
        let dayAgo = now.addingTimeInterval(-86_400)
        let percentiles = try await service.percentiles(monitor.id, since: dayAgo)
        func ms(_ value: Double?) -> String { value.map { "\(Int($0.rounded())) ms" } ?? "–" }
        let latency: [MonitorView.Figure] = monitor.type.isActive
            ? [.init(label: "p50, 24 h", value: ms(percentiles.p50)), .init(label: "p95, 24 h", value: ms(percentiles.p95)), .init(label: "p99, 24 h", value: ms(percentiles.p99))]
            : []
        let hourly = try await service.monitors.hourly(monitorIDs: [monitor.id], since: dayAgo.addingTimeInterval(3_600))[monitor.id] ?? []
        let startHour = Int64(dayAgo.timeIntervalSince1970) / 3_600 * 3_600 + 3_600
        let byHour = Dictionary(hourly.map { (Int64($0.hour.timeIntervalSince1970), $0) }, uniquingKeysWith: { first, _ in first })
        let points = (0..<24).map { i -> (start: Int64, count: Int64) in
            let start = startHour + Int64(i) * 3_600
            return (start, Int64((byHour[start]?.meanMilliseconds ?? 0).rounded()))
        }
        let chart = monitor.type.isActive
            ? Charts.stackedBars([(name: "response", points: points)], bucketSeconds: 3_600, unit: "ms", caption: "Mean response time per hour")
            : ""
        let events = try await service.monitors.events(monitorID: monitor.id, limit: 200)
        let window = TimeRange(start: dayAgo, end: now)
        var spans: [(range: TimeRange, status: MonitorStatus)] = []
        var cursor = now
        for event in events where event.transition.at < cursor {
            spans.append((TimeRange(start: event.transition.at, end: cursor), event.transition.to))
            cursor = event.transition.at
            if cursor <= dayAgo { break }
        }
        if cursor > dayAgo { spans.append((TimeRange(start: max(dayAgo, monitor.createdAt), end: cursor), events.last?.transition.from ?? monitor.state.status)) }
        let downtimes = try await service.monitors.downtimes(monitorID: monitor.id, limit: 50).map { downtime in
            MonitorView.DowntimeRow(start: WebFormat.timestamp(downtime.start), startISO: WebFormat.iso(downtime.start),
                                    end: downtime.end.map(WebFormat.timestamp) ?? "ongoing", endISO: downtime.end.map(WebFormat.iso) ?? "",
                                    duration: WebFormat.exactDuration(downtime.range(now: now).duration), cause: downtime.cause, open: downtime.end == nil)
        }
        let results = try await service.monitors.results(monitorID: monitor.id, limit: 50).map { result in
            MonitorView.ResultRow(time: WebFormat.timestamp(result.checkedAt), timeISO: WebFormat.iso(result.checkedAt), status: result.verdict.rawValue,
                                  response: ms(result.responseMilliseconds), code: result.statusCode.map(String.init) ?? "", message: result.message)
        }
        var pingURL: String?
        var examples: [String] = []
        var pings: [MonitorView.PingRow] = []
        if monitor.target.heartbeat != nil, let token = monitor.pingToken {
            let url = "\(publicURL)/ping/\(token)"
            pingURL = url
            examples = ["curl -fsS -m 10 --retry 3 \(url)", "curl -fsS -m 10 \(url)/start", "curl -fsS -m 10 \(url)/fail", "curl -fsS -m 10 \(url)/$?"]
            pings = try await service.monitors.pings(monitorID: monitor.id, limit: 50).map { ping in
                MonitorView.PingRow(time: WebFormat.timestamp(ping.receivedAt), timeISO: WebFormat.iso(ping.receivedAt), kind: ping.kind.name, runID: ping.runID ?? "",
                                    duration: ping.durationSeconds.map { WebFormat.exactDuration($0) } ?? "", late: ping.late, body: String((ping.body ?? "").prefix(500)))
            }
        }
        let last = try await service.monitors.results(monitorID: monitor.id, limit: 1).first
        return MonitorView(
            chrome: scope.chrome, id: monitor.id.description, name: monitor.name, type: monitor.type.rawValue, component: monitor.component,
            status: monitor.state.status.rawValue, since: WebFormat.relative(monitor.state.since, now: now), sinceISO: WebFormat.iso(monitor.state.since),
            target: Self.describe(monitor), lastMessage: last?.message ?? "No result yet.", isPaused: monitor.isPaused, isActive: monitor.type.isActive,
            base: "\(scope.orgPath)/monitors/\(monitor.id)", healthHref: "\(scope.orgPath)/health/",
            uptime: uptime, latency: latency, chart: chart, timeline: Charts.stateTimeline(spans, window: window),
            downtimes: downtimes, results: results, pingURL: pingURL, pingExamples: examples, pings: pings, hasPings: !pings.isEmpty,
            incidentLinks: try await dashboard.linkedIncidents(kind: "monitor", id: monitor.id.rawValue, scope: scope))
    }

    /// What is checked, in words, without secrets.
    static func describe(_ monitor: Monitor) -> String {
        let every = "every \(WebFormat.exactDuration(TimeInterval(monitor.intervalSeconds)))"
        switch monitor.target {
        case .http(let http): return "\(http.method) \(http.url), \(every), timeout \(monitor.timeoutSeconds) s"
        case .tcp(let tcp): return "TCP \(tcp.host):\(tcp.port), \(every)"
        case .postgres(let postgres): return "PostgreSQL \(postgres.redactedConnection), \(every)"
        case .heartbeat(let heartbeat), .cron(let heartbeat):
            let schedule = heartbeat.schedule.crontab.map { "cron \($0) (\(heartbeat.schedule.timeZoneName ?? "UTC"))" }
                ?? "every \(WebFormat.exactDuration(TimeInterval(monitor.intervalSeconds)))"
            return "expects a ping \(schedule), grace \(WebFormat.exactDuration(TimeInterval(heartbeat.graceSeconds)))"
                + (heartbeat.maxRuntimeSeconds.map { ", max runtime \(WebFormat.exactDuration(TimeInterval($0)))" } ?? "")
        }
    }
}
