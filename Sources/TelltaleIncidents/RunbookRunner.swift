import AsyncHTTPClient
import Foundation
public import Logging
public import Metrics
import Mustache
import NIOCore
import NIOHTTP1
public import ServiceLifecycle
import TelltaleAlerting
public import TelltaleCore

/// Runs queued runbook runs one at a time, step by step, stopping at the first step that fails
/// and recording each step's outcome, attempts and timing as it goes. A run is claimed under a
/// lease that is renewed after every step; a run whose runner died is failed, not repeated,
/// since its calls may already have had their effect.
public final class RunbookRunner: Service, Sendable {
    let service: IncidentService
    let secrets: SecretBox
    let client: HTTPClient
    let logger: Logger
    let metrics: any MetricsFactory
    /// How often a waiting step re-checks, and the first retry's delay (doubling after).
    let pollInterval: Duration
    let backoffBase: Double
    /// Signalled when a run is queued.
    var wakeup: Wakeup { service.runQueued }

    public init(service: IncidentService, secrets: SecretBox, logger: Logger, metrics: any MetricsFactory, pollInterval: Duration = .seconds(2), backoffBase: Double = 1) {
        self.service = service
        self.secrets = secrets
        self.logger = logger
        self.metrics = metrics
        self.pollInterval = pollInterval
        self.backoffBase = backoffBase
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, decompression: .disabled)
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    var incidents: any IncidentRepository { service.repositories.incidents }

    public func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                do {
                    if try await runNext() { continue }
                } catch {
                    logger.error("Runbook runner failed", metadata: ["error": "\(error)"])
                }
                await wakeup.wait(upTo: .seconds(1))
            }
        } onGracefulShutdown: {
            self.wakeup.signal()
        }
        try? await client.shutdown()
    }

    public func shutdown() async { try? await client.shutdown() }

    /// Claims and runs the oldest queued run; whether there was one.
    @discardableResult
    public func runNext() async throws -> Bool {
        // Claiming is a write; an idle runner only reads.
        guard try await incidents.hasRunsToClaim(now: service.now()),
              let claimed = try await incidents.claimRun(now: service.now(), leaseUntil: service.now().addingTimeInterval(600)) else { return false }
        _ = try await execute(claimed)
        return true
    }

    /// Runs every step of `run` in order; the finished run.
    public func execute(_ run: RunbookRun) async throws -> RunbookRun {
        var run = run
        guard let runbook = try await incidents.runbook(id: run.runbookID) else {
            run.status = .failed
            run.finishedAt = service.now()
            try await incidents.saveRun(run, leaseUntil: nil)
            return run
        }
        let incident = try await run.incidentID.asyncMap { try await self.incidents.incident(id: $0) } ?? nil
        let context = try await templateContext(run, incident: incident)
        var failed = false
        for (index, step) in runbook.draft.steps.enumerated() {
            let started = service.now()
            let (succeeded, attempts, detail) = await perform(step, runbook: runbook, run: run, incident: incident, context: context)
            run.steps.append(.init(index: index, type: step.typeName, succeeded: succeeded, startedAt: started, finishedAt: service.now(), attempts: attempts, detail: detail))
            try await incidents.saveRun(run, leaseUntil: service.now().addingTimeInterval(600))
            if let incident {
                _ = try? await service.note(incident.id, by: .runbook(runbook.draft.name), kind: .runbook,
                                            text: "step \(index + 1) (\(step.typeName)) \(succeeded ? "succeeded" : "failed"): \(detail)")
            }
            if !succeeded {
                failed = true
                break
            }
        }
        run.status = failed ? .failed : .succeeded
        run.finishedAt = service.now()
        try await incidents.saveRun(run, leaseUntil: nil)
        Counter(label: "telltale.runbook.runs.total", dimensions: [("outcome", run.status.rawValue)], factory: metrics).increment()
        logger.info("Runbook run finished", metadata: ["runbook.id": "\(runbook.id)", "run.id": "\(run.id)", "run.status": "\(run.status.rawValue)"])
        return run
    }

    /// Whether the step succeeded, after how many attempts, and what happened.
    func perform(_ step: RunbookStep, runbook: Runbook, run: RunbookRun, incident: Incident?, context: [String: Any]) async -> (Bool, Int, String) {
        switch step {
        case .http(let call):
            return await send(call, context: context)
        case .waitForMonitor(let monitorID, let status, let timeout):
            let deadline = service.now().addingTimeInterval(Double(timeout))
            var checks = 0
            while true {
                checks += 1
                guard let monitor = try? await service.repositories.monitors.monitor(id: monitorID), monitor.organizationID == runbook.organizationID else {
                    return (false, checks, "monitor \(monitorID) not found")
                }
                if monitor.state.status == status { return (true, checks, "\(monitor.name) is \(status.rawValue)") }
                guard service.now() < deadline else { return (false, checks, "\(monitor.name) still \(monitor.state.status.rawValue) after \(timeout) s") }
                try? await Task.sleep(for: pollInterval)
            }
        case .waitForQuiet(let issueID, let quiet, let timeout):
            var issues = issueID.map { [$0] } ?? []
            if issues.isEmpty, let incident { issues = (try? await incidents.links(incident.id).issues) ?? [] }
            guard !issues.isEmpty else { return (false, 0, "no issue to watch") }
            let deadline = service.now().addingTimeInterval(Double(timeout))
            var checks = 0
            while true {
                checks += 1
                var last = Date.distantPast
                for id in issues { if let issue = try? await service.repositories.issues.issue(id: id) { last = max(last, issue.lastSeen) } }
                let silent = service.now().timeIntervalSince(last)
                if silent >= Double(quiet) { return (true, checks, "no event for \(Int(silent)) s") }
                guard service.now() < deadline else { return (false, checks, "events kept arriving for \(timeout) s") }
                try? await Task.sleep(for: pollInterval)
            }
        case .note(let text):
            guard let incident else { return (true, 1, "no incident: the note was not posted") }
            do {
                _ = try await service.note(incident.id, by: .runbook(runbook.draft.name), kind: .note, text: text)
                return (true, 1, "posted a note")
            } catch {
                return (false, 1, "could not post the note: \(error)")
            }
        case .resolveIncident:
            guard let incident else { return (true, 1, "no incident to resolve") }
            do {
                _ = try await service.resolve(incident.id, by: .runbook(runbook.draft.name), message: "resolved by the runbook \(runbook.draft.name)")
                return (true, 1, "resolved the incident")
            } catch let conflict as IncidentConflict {
                // Already resolved (a person, or the automatic check, was first): nothing left to do.
                return (true, 1, conflict.description)
            } catch {
                return (false, 1, "could not resolve the incident: \(error)")
            }
        }
    }

    /// The HTTP call, retried with exponential backoff until its status (and body) is as expected.
    func send(_ call: RunbookStep.HTTPCall, context: [String: Any]) async -> (Bool, Int, String) {
        var last = ""
        for attempt in 1...(call.retries + 1) {
            do {
                let body = try call.body.map { try MustacheTemplate(string: $0).render(context) }.map { Array($0.utf8) } ?? []
                var request = HTTPClientRequest(url: call.url)
                request.method = .init(rawValue: call.method)
                request.headers.add(name: "User-Agent", value: "Telltale-Runbook/1")
                if !body.isEmpty { request.headers.add(name: "Content-Type", value: "application/json") }
                let timestamp = String(Int(service.now().timeIntervalSince1970))
                request.headers.add(name: "X-Telltale-Timestamp", value: timestamp)
                if let secret = try call.secret.map(secrets.open) {
                    request.headers.add(name: "X-Telltale-Signature", value: "sha256=" + WebhookSigning.signature(secret: secret, timestamp: timestamp, body: body))
                }
                for (name, value) in call.headers.sorted(by: { $0.key < $1.key }) { request.headers.add(name: name, value: try secrets.open(value)) }
                if !body.isEmpty { request.body = .bytes(ByteBuffer(bytes: body)) }
                let response = try await client.execute(request, deadline: .now() + .seconds(Int64(call.timeoutSeconds)))
                let text = String(buffer: try await response.body.collect(upTo: 64 * 1024))
                let status = Int(response.status.code)
                if call.expectStatus.contains(status), call.expectBody.map({ text.contains($0) }) ?? true {
                    return (true, attempt, "HTTP \(status)")
                }
                last = call.expectStatus.contains(status) ? "HTTP \(status) without \"\(call.expectBody ?? "")\" in the body" : "HTTP \(status)"
            } catch {
                last = "\(error)".prefix(300).description
            }
            if attempt <= call.retries {
                try? await Task.sleep(for: .milliseconds(Int(RunbookBackoff.delay(afterAttempt: attempt, base: backoffBase) * 1000)))
            }
        }
        return (false, call.retries + 1, last)
    }

    /// The fields a body template can use: `incident.*`, `issues`, `monitors` and the run's payload.
    func templateContext(_ run: RunbookRun, incident: Incident?) async throws -> [String: Any] {
        var context: [String: Any] = run.payload
        if let incident {
            let links = try await incidents.links(incident.id)
            context["incident"] = ["id": incident.id.description, "title": incident.title, "severity": incident.severity.rawValue,
                                   "status": incident.status.rawValue, "impact": incident.impact]
            context["issues"] = links.issues.map { ["id": String($0)] }
            context["monitors"] = links.monitors.map { ["id": $0.description] }
        }
        return context
    }
}
