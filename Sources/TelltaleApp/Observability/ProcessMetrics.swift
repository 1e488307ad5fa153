import Foundation
import Metrics
import TelltaleStore

/// Gauges sampled when Prometheus scrapes: resident memory, CPU time used so far (the
/// standard `process_cpu_seconds_total`; a rate of it is the CPU share) and database
/// connections in use.
struct ProcessMetrics: Sendable {
    let residentMemory: Gauge
    let cpuSeconds: Gauge
    let connectionsInUse: Gauge
    let diskFree: Gauge
    let disk: DiskSpace
    let backend: any SQLBackend

    init(factory: any MetricsFactory, backend: any SQLBackend, disk: DiskSpace) {
        self.disk = disk
        diskFree = Gauge(label: "telltale.disk.free.bytes", factory: factory)
        residentMemory = Gauge(label: "process.resident.memory.bytes", factory: factory)
        cpuSeconds = Gauge(label: "process.cpu.seconds.total", factory: factory)
        connectionsInUse = Gauge(label: "telltale.db.connections.in.use", dimensions: [("database", backend.flavor.rawValue)], factory: factory)
        self.backend = backend
    }

    func sample() {
        if let bytes = Self.residentBytes() { residentMemory.record(bytes) }
        if let seconds = Self.cpuSeconds() { cpuSeconds.record(seconds) }
        connectionsInUse.record(backend.connectionsInUse)
        if let free = disk.freeBytes() { diskFree.record(free) }
    }

    /// User and system CPU time of the process from `/proc/self/stat` (Linux); `nil` elsewhere.
    static func cpuSeconds() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let end = text.lastIndex(of: ")") else { return nil }
        // Fields after the command name (which may hold spaces): state is the 3rd, utime the 14th.
        let fields = text[text.index(after: end)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Resident set size from `/proc/self/statm` (Linux); `nil` elsewhere.
    static func residentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
