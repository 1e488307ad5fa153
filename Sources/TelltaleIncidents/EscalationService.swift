import Foundation
public import Logging
import Metrics
public import ServiceLifecycle
public import TelltaleAlerting
import TelltaleCore

/// The escalation timer: sends the steps that fell due and resolves the incidents that
/// resolve themselves. Its timers are the incidents' stored states, so a restart resumes them;
/// each step is stored by compare-and-set, so with several nodes it is sent once.
public final class EscalationService: Service, Sendable {
    let incidents: IncidentService
    let logger: Logger
    let interval: Duration
    public let wakeup = Wakeup()

    public init(incidents: IncidentService, logger: Logger, interval: Duration = .seconds(1)) {
        self.incidents = incidents
        self.logger = logger
        self.interval = interval
    }

    public func run() async throws {
        try await incidents.startOpeningFromAlerts()
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                do {
                    try await pass()
                } catch {
                    logger.error("Incident escalation pass failed", metadata: ["error": "\(error)"])
                }
                await wakeup.wait(upTo: interval)
            }
        } onGracefulShutdown: {
            self.wakeup.signal()
        }
    }

    /// One pass: incidents opened by alerts, every due step, then auto-resolution. The
    /// number of alerts read and incidents changed.
    @discardableResult
    public func pass() async throws -> Int {
        var changed = try await incidents.openFromAlerts()
        for incident in try await incidents.incidents.dueEscalations(now: incidents.now(), limit: 200)
        where try await incidents.escalateDue(incident) != nil {
            changed += 1
        }
        changed += try await incidents.autoResolve()
        let open = try await incidents.incidents.openCounts()
        for severity in IncidentSeverity.allCases {
            Gauge(label: "telltale.incidents.open", dimensions: [("severity", severity.rawValue)], factory: incidents.metrics).record(open[severity] ?? 0)
        }
        return changed
    }
}
