import Foundation
import NIOHTTP1

/// Reads a ``StatusSnapshot`` from a server's API, `/readyz` and `/metrics`. Rates (CPU,
/// ingest latency) are deltas between two reads, so the first snapshot has none.
struct StatusFetcher {
    let client: ServerClient
    let organization: String
    /// Minutes of the events sparkline.
    let minutes = 30
    private var previous: (at: Date, metrics: Metrics)?

    init(client: ServerClient, organization: String) {
        self.client = client
        self.organization = organization
    }

    /// The counters of `/metrics` this view uses.
    struct Metrics {
        var cpuSeconds: Double?
        var residentBytes: Double?
        var ingestSeconds: Double = 0
        var ingestRequests: Double = 0

        /// Reads the Prometheus text format: only the lines wanted, by name.
        init(_ text: String) {
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
                let name = line[..<space]
                if name == "process_cpu_seconds_total" { cpuSeconds = value }
                if name == "process_resident_memory_bytes" { residentBytes = value }
                // Both ingest endpoints; the route label is the path pattern.
                if name.contains("/envelope\"") || name.contains("/store\"") {
                    if name.hasPrefix("telltale_http_request_duration_seconds_sum{") { ingestSeconds += value }
                    if name.hasPrefix("telltale_http_request_duration_seconds_count{") { ingestRequests += value }
                }
            }
        }
    }

    mutating func snapshot() async throws -> StatusSnapshot {
        let now = Date()
        let org = organization
        let projects = try await client.get("organizations/\(org)/projects/", as: [ServerModel.Slugged].self)
        var newIssues: [StatusSnapshot.IssueLine] = []
        var regressed: [StatusSnapshot.IssueLine] = []
        for project in projects {
            newIssues += try await issues(project.slug, query: "is:unresolved age:-24h", sort: "new")
            regressed += try await issues(project.slug, query: "is:regressed", sort: "date")
        }
        let stats = try await client.get("organizations/\(org)/stats/?since=\(Int(now.timeIntervalSince1970) - minutes * 60 + 60)&until=\(Int(now.timeIntervalSince1970) + 1)&interval=1m",
                                  as: Stats.self)
        let monitors = try await client.get("organizations/\(org)/monitors/", as: [ServerModel.Monitor].self)
        let incidents = try await client.get("organizations/\(org)/incidents/?status=active&limit=50", as: [Incident].self)
        let ready = try await client.send(.GET, "/readyz", authorized: false)
        let readiness = try? ready.decode(ServerModel.Readiness.self)
        let metricsReply = try await client.send(.GET, "/metrics", authorized: false)
        let metrics = Metrics(metricsReply.text)

        var cpu: Double?
        var latency: Double?
        if let previous {
            let seconds = now.timeIntervalSince(previous.at)
            if let used = metrics.cpuSeconds, let before = previous.metrics.cpuSeconds, seconds > 0 { cpu = max(0, used - before) / seconds * 100 }
            let requests = metrics.ingestRequests - previous.metrics.ingestRequests
            if requests > 0 { latency = (metrics.ingestSeconds - previous.metrics.ingestSeconds) / requests * 1000 }
        }
        previous = (now, metrics)
        return StatusSnapshot(
            organization: org, server: client.base, takenAt: now,
            eventsPerMinute: stats.events.total.map { Int($0[1]) },
            newIssues: Array(newIssues.sorted { $0.id.count == $1.id.count ? $0.id > $1.id : $0.id.count > $1.id.count }.prefix(20)),
            regressedIssues: Array(regressed.prefix(20)),
            monitors: monitors.map { StatusSnapshot.MonitorLine(id: $0.id, name: $0.name, status: $0.status) },
            incidents: incidents.map { StatusSnapshot.IncidentLine(id: $0.id, title: $0.title, severity: $0.severity, status: $0.status) },
            ready: ready.status == 200, queueDepth: readiness?.ingest_queue_depth, ingestLatencyMs: latency,
            residentBytes: metrics.residentBytes, cpuPercent: cpu
        )
    }

    private func issues(_ project: String, query: String, sort: String) async throws -> [StatusSnapshot.IssueLine] {
        let encoded = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        return try await client.get("projects/\(organization)/\(project)/issues/?query=\(encoded)&sort=\(sort)&limit=20", as: [Issue].self).map {
            StatusSnapshot.IssueLine(id: $0.id, project: project, title: $0.title, count: $0.count, severity: $0.severity, url: $0.permalink)
        }
    }

    struct Issue: Decodable {
        var id: String
        var title: String
        var count: String
        var severity: String?
        var permalink: String
    }
    struct Stats: Decodable {
        struct Events: Decodable { var total: [[Double]] }
        var events: Events
    }
    struct Incident: Decodable {
        var id: String
        var title: String
        var severity: String
        var status: String
    }
}
