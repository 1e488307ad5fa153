import Foundation
public import TelltaleCore

/// Runs one monitor's check, cut at its timeout whatever the target does.
public struct MonitorChecker: Sendable {
    let http: HTTPChecker
    let postgres: any PostgresProbe

    public init(http: HTTPChecker, postgres: any PostgresProbe) {
        self.http = http
        self.postgres = postgres
    }

    /// The outcome of checking `monitor` now. Push monitors have nothing to check.
    public func check(_ monitor: Monitor) async -> CheckOutcome {
        let timeout = Duration.seconds(monitor.timeoutSeconds)
        let target = monitor.target
        let http = http
        let postgres = postgres
        return await withTaskGroup(of: CheckOutcome?.self) { group in
            group.addTask {
                switch target {
                case .http(let settings):
                    return await http.check(settings, timeout: timeout)
                case .tcp(let settings):
                    return await TCPCheck.check(settings, timeout: timeout)
                case .postgres(let settings):
                    let start = ContinuousClock.now
                    do {
                        try await postgres.probe(settings, timeout: timeout)
                        let elapsed = milliseconds(since: start)
                        return CheckOutcome(verdict: .up, responseMilliseconds: elapsed, message: "query answered in \(Int(elapsed.rounded())) ms")
                    } catch {
                        return .down("\(error)")
                    }
                case .heartbeat, .cron:
                    return CheckOutcome(verdict: .up, message: "push monitor: nothing to check")
                }
            }
            // The hard stop: a target that never answers cannot hold a check past its timeout.
            group.addTask {
                try? await Task.sleep(for: timeout + .milliseconds(250))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .down("timed out after \(monitor.timeoutSeconds) s")
        }
    }
}
