import Foundation
public import Metrics
import Synchronization
import TelltaleCore

/// Prometheus figures for monitors: `telltale_monitor_up{monitor,component}`, response times,
/// and the scheduler's lag (how late checks start).
public final class MonitorMetrics: Sendable {
    let factory: any MetricsFactory
    let responseTime: Metrics.Timer
    let checkLag: Metrics.Timer
    let lagGauge: Gauge
    let skipped: Counter
    /// The largest lag of the last scheduler pass, in seconds, for `/readyz`.
    let lastLagMilliseconds = Atomic<Int>(0)

    public init(factory: any MetricsFactory) {
        self.factory = factory
        responseTime = Metrics.Timer(label: "telltale.monitor.response_time", preferredDisplayUnit: .milliseconds, factory: factory)
        checkLag = Metrics.Timer(label: "telltale.monitor.check_lag", preferredDisplayUnit: .milliseconds, factory: factory)
        lagGauge = Gauge(label: "telltale.scheduler.lag_seconds", factory: factory)
        skipped = Counter(label: "telltale.monitor.skipped_checks", factory: factory)
    }

    func recorded(_ monitor: Monitor, _ result: CheckResult) {
        Gauge(label: "telltale.monitor.up", dimensions: [("monitor", monitor.name), ("component", monitor.component)], factory: factory)
            .record(result.verdict.isFailure ? 0 : 1)
        if let ms = result.responseMilliseconds { responseTime.recordNanoseconds(Int64(ms * 1_000_000)) }
    }

    /// Slots that passed without a check (the scheduler or the check ran later than the interval).
    func skipped(_ slots: Int) {
        if slots > 0 { skipped.increment(by: slots) }
    }

    func lag(_ seconds: Double) {
        checkLag.recordNanoseconds(Int64(max(0, seconds) * 1e9))
    }

    func passLag(_ seconds: Double) {
        lagGauge.record(seconds)
        lastLagMilliseconds.store(Int(seconds * 1000), ordering: .relaxed)
    }

    /// The scheduler's most recent lag, in seconds.
    public var schedulerLagSeconds: Double { Double(lastLagMilliseconds.load(ordering: .relaxed)) / 1000 }
}
