import Foundation
import Metrics
import TelltaleStore

/// Gauges sampled when Prometheus scrapes: resident memory and database connections in use.
struct ProcessMetrics: Sendable {
    let residentMemory: Gauge
    let connectionsInUse: Gauge
    let backend: any SQLBackend

    init(factory: any MetricsFactory, backend: any SQLBackend) {
        residentMemory = Gauge(label: "process.resident.memory.bytes", factory: factory)
        connectionsInUse = Gauge(label: "telltale.db.connections.in.use", dimensions: [("database", backend.flavor.rawValue)], factory: factory)
        self.backend = backend
    }

    func sample() {
        if let bytes = Self.residentBytes() { residentMemory.record(bytes) }
        connectionsInUse.record(backend.connectionsInUse)
    }

    /// Resident set size from `/proc/self/statm` (Linux); `nil` elsewhere.
    static func residentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
