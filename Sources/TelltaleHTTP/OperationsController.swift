import Foundation
public import Hummingbird
import NIOCore
public import Prometheus

/// What `/readyz` reports.
public struct Readiness: Sendable {
    /// Whether the database answered.
    public var databaseReachable: Bool
    /// Whether the schema is at this binary's version.
    public var migrationsCurrent: Bool
    /// A short explanation when not ready.
    public var detail: String?
    /// Records accepted and waiting for the ingest writer.
    public var ingestQueueDepth: Int?
    /// How late the monitor scheduler's last pass started its checks, in seconds.
    public var schedulerLagSeconds: Double?
    /// The single-node jobs this node runs now (on PostgreSQL, the ones whose lease it holds).
    public var leading: [String]?
    /// Whether commits on other nodes reach this node's live pages (PostgreSQL's `LISTEN`).
    public var liveUpdates: Bool?
    /// Free bytes on the database's disk (SQLite) or the data directory's.
    public var diskFreeBytes: Int64?
    /// The database's disk is full: ingest refuses events until space returns.
    public var diskFull = false

    /// Creates a readiness report.
    public init(databaseReachable: Bool, migrationsCurrent: Bool, detail: String? = nil) {
        self.databaseReachable = databaseReachable
        self.migrationsCurrent = migrationsCurrent
        self.detail = detail
    }

    /// Ready to serve.
    public var isReady: Bool { databaseReachable && migrationsCurrent && !diskFull }
}

/// `/healthz` (the process answers), `/readyz` (database reachable, schema current) and
/// `/metrics` (Prometheus text format).
public struct OperationsController<Context: RequestContext>: Sendable {
    let readiness: @Sendable () async -> Readiness
    let registry: PrometheusCollectorRegistry
    let beforeScrape: @Sendable () async -> Void

    /// Creates the controller; `beforeScrape` refreshes gauges sampled at scrape time.
    public init(
        registry: PrometheusCollectorRegistry,
        readiness: @escaping @Sendable () async -> Readiness,
        beforeScrape: @escaping @Sendable () async -> Void
    ) {
        self.registry = registry
        self.readiness = readiness
        self.beforeScrape = beforeScrape
    }

    /// Registers the routes.
    public func addRoutes(to router: some RouterMethods<Context>) {
        router.get("healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
        router.get("readyz") { _, _ in
            let report = await readiness()
            let body = """
                {"status":"\(report.isReady ? "ready" : "not ready")","database":\(report.databaseReachable),"migrations":\(report.migrationsCurrent)\
                \(report.ingestQueueDepth.map { ",\"ingest_queue_depth\":\($0)" } ?? "")\
                \(report.schedulerLagSeconds.map { ",\"scheduler_lag_seconds\":\(String(format: "%.3f", $0))" } ?? "")\
                \(report.leading.map { ",\"leading\":[" + $0.map(JSONText.quoted).joined(separator: ",") + "]" } ?? "")\
                \(report.liveUpdates.map { ",\"live_updates\":\($0)" } ?? "")\
                \(report.diskFreeBytes.map { ",\"disk_free_bytes\":\($0)" } ?? "")\
                \(report.diskFull ? ",\"disk_full\":true" : "")\
                \(report.detail.map { ",\"detail\":" + JSONText.quoted($0) } ?? "")}
                """
            return Response(
                status: report.isReady ? .ok : .serviceUnavailable,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: body))
            )
        }
        router.get("metrics") { _, _ in
            await beforeScrape()
            var buffer = [UInt8]()
            registry.emit(into: &buffer)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer))
            )
        }
    }
}
