import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TelltaleCore
import TelltaleIngest

/// `telltale selftest`: checks an installation end to end through its public interfaces and
/// prints a table of passed and failed checks with the reason; exits 1 when any failed, so
/// it can run after a deploy. The events it sends are tagged `telltale.selftest` (and group
/// into one "Telltale test event" issue).
struct SelftestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selftest",
        abstract: "Check a running Telltale end to end (readiness, database, ingest, grouping, scrubbing, API, dashboard, live stream, alerting, monitors)."
    )

    @OptionGroup var server: ServerOptions
    @Option(help: "Organization slug.") var org = "default"
    @Option(help: "Project slug the test events go to.") var project = "default"

    func run() async throws {
        let (org, project) = (org, project)
        let failed = try await server.withServer(scopes: [.orgRead, .projectRead, .projectWrite, .eventRead, .eventWrite]) { client in
            let run = SelftestRun(client: client, org: org, project: project)
            await run.all()
            Console.table(["CHECK", "RESULT", "DETAIL"], run.results.map { [$0.name, $0.passed ? "pass" : "FAIL", $0.detail] })
            let failures = run.results.filter { !$0.passed }.count
            Console.out(failures == 0 ? "All \(run.results.count) checks passed." : "\(failures) of \(run.results.count) checks failed.")
            return failures
        }
        if failed > 0 { throw ExitCode(1) }
    }
}

/// One self-test run: the checks in order, each recorded with its reason.
final class SelftestRun {
    struct Result {
        var name: String
        var passed: Bool
        var detail: String
    }

    let client: ServerClient
    let org: String
    let project: String
    /// Marks this run's events, so search finds exactly them.
    let runID = SecretGenerator.hex(byteCount: 6)
    var results: [Result] = []

    init(client: ServerClient, org: String, project: String) {
        self.client = client
        self.org = org
        self.project = project
    }

    func record(_ name: String, _ check: () async throws -> String) async {
        do {
            results.append(Result(name: name, passed: true, detail: try await check()))
        } catch let failure as ServerClient.Failure {
            results.append(Result(name: name, passed: false, detail: failure.description))
        } catch {
            results.append(Result(name: name, passed: false, detail: "\(error)"))
        }
    }

    func fail(_ text: String) -> ServerClient.Failure { ServerClient.Failure(description: text) }

    func all() async {
        await record("server answers") {
            let reply = try await client.send(.GET, "/healthz", authorized: false)
            guard reply.status == 200 else { throw fail("/healthz answered \(reply.status)") }
            return "\(client.base)/healthz is ok"
        }
        guard results.last?.passed == true else { return }
        var readiness: ServerModel.Readiness?
        await record("ready") {
            let reply = try await client.send(.GET, "/readyz", authorized: false)
            let ready = try? reply.decode(ServerModel.Readiness.self)
            readiness = ready
            guard reply.status == 200, let ready else { throw fail("/readyz answered \(reply.status): \(ready?.detail ?? reply.text)") }
            return "queue \(ready.ingest_queue_depth ?? 0), live updates \(ready.live_updates == false ? "off" : "on")"
        }
        await record("database and migrations") {
            guard let readiness else { throw fail("no readiness report") }
            guard readiness.database else { throw fail("database unreachable\(readiness.detail.map { ": " + $0 } ?? "")") }
            guard readiness.migrations else { throw fail("schema not current\(readiness.detail.map { ": " + $0 } ?? "")") }
            return "reachable, schema current"
        }
        var key: String?
        await record("REST API") {
            let reply = try await client.api(.GET, "projects/\(org)/\(project)/keys/")
            guard reply.status == 200 else { throw fail("GET project keys answered \(reply.status): \(reply.detail)") }
            guard let active = try reply.decode([ServerModel.ClientKey].self).first(where: \.isActive) else { throw fail("project \(org)/\(project) has no active client key") }
            key = active.public
            return "project \(org)/\(project) and its client key"
        }
        await record("dashboard") {
            let reply = try await client.send(.GET, "/login", authorized: false)
            guard reply.status == 200, reply.text.contains("<html") else { throw fail("/login answered \(reply.status)") }
            return "sign-in page served"
        }
        guard let key else { return }
        let stream = await openLiveStream()
        // The issue each similar event landed in, for the search and grouping checks.
        var issues: [String] = []
        for (name, encoding) in [("ingest (gzip)", "gzip"), ("ingest (brotli)", "br")] {
            await record(name) {
                let (eventID, issue) = try await sendEvent(key: key, encoding: encoding)
                issues.append(issue)
                return "event \(eventID.prefix(8))… stored in issue \(issue)"
            }
        }
        await record("search") {
            let query = "tags[telltale.selftest]:\(runID)".addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            let reply = try await client.api(.GET, "projects/\(org)/\(project)/issues/?query=\(query)")
            guard reply.status == 200 else { throw fail("issue search answered \(reply.status): \(reply.detail)") }
            let found = try reply.decode([ServerModel.Identified].self)
            guard let first = issues.first, found.contains(where: { $0.id == first }) else { throw fail("searching this run's tag found \(found.count) issues, not the test issue") }
            return "found by this run's tag"
        }
        await record("grouping") {
            guard issues.count == 2 else { throw fail("needs both ingest checks to pass") }
            guard Set(issues).count == 1 else { throw fail("two similar events went to issues \(issues.joined(separator: " and "))") }
            return "two similar events in one issue"
        }
        await record("scrubbing") {
            let secret = "selftest-\(runID)-hunter2"
            let (eventID, _) = try await sendEvent(key: key, encoding: nil, detail: "password=\(secret)")
            let reply = try await client.api(.GET, "projects/\(org)/\(project)/events/\(eventID)/")
            guard reply.status == 200 else { throw fail("reading the event back answered \(reply.status)") }
            guard !reply.text.contains(secret) else { throw fail("the planted password is stored in clear") }
            guard reply.text.contains("[Filtered]") else { throw fail("the planted password is gone but not marked [Filtered]") }
            return "planted password stored as [Filtered]"
        }
        await record("live stream") {
            guard let stream else { throw fail("GET /api/0/organizations/\(org)/live/ did not open") }
            return try await stream.value
        }
        await alerting()
        await monitors()
        if let lag = readiness?.scheduler_lag_seconds {
            await record("monitor scheduler") {
                guard lag < 30 else { throw fail("checks run \(Int(lag)) s late") }
                return String(format: "%.1f s behind", lag)
            }
        }
    }

    /// Sends one test event as an SDK would (an envelope with the client key, compressed
    /// with `encoding`); returns its id and issue once the server answered (after the commit).
    func sendEvent(key: String, encoding: String?, detail: String? = nil) async throws -> (String, String) {
        var test = TestEvent(environment: "telltale-selftest")
        test.tags = ["telltale.selftest": runID]
        test.detail = detail
        let eventID = SecretGenerator.hex(byteCount: 16)
        let envelope = test.envelope(eventID: eventID, at: Date(), dsn: nil)
        var headers = [("X-Sentry-Auth", "Sentry sentry_key=\(key), sentry_version=7, sentry_client=telltale-selftest/1.0"),
                       ("Content-Type", "application/x-sentry-envelope")]
        var body = envelope
        switch encoding {
        case "gzip": body = Array(buffer: try BodyCompression.gzip(envelope))
        case "br":
            guard let compressed = BodyCompression.brotli(envelope) else { throw fail("could not brotli-compress the envelope") }
            body = compressed
        default: break
        }
        if let encoding { headers.append(("Content-Encoding", encoding)) }
        let projectID = try await projectNumber()
        let reply = try await client.send(.POST, "/api/\(projectID)/envelope/", body: body, headers: headers, authorized: false)
        guard reply.status == 200 else { throw fail("envelope refused (\(reply.status)): \(reply.detail)") }
        let stored = try await client.api(.GET, "projects/\(org)/\(project)/events/\(eventID)/")
        guard stored.status == 200, let issue = try stored.decode(StoredEvent.self).groupID else {
            throw fail("accepted but not found afterwards (\(stored.status))")
        }
        return (eventID, issue)
    }

    func projectNumber() async throws -> String {
        let reply = try await client.api(.GET, "projects/\(org)/\(project)/")
        guard reply.status == 200 else { throw fail("project \(org)/\(project): \(reply.detail)") }
        return try reply.decode(ProjectDetail.self).project.id
    }

    /// Opens the organization's change stream now and resolves to the first `issues` change
    /// (the ingest checks cause one), or fails after 10 s.
    func openLiveStream() async -> Task<String, any Error>? {
        guard let response = try? await client.openStream("/api/0/organizations/\(org)/live/") else { return nil }
        let opened = ContinuousClock.now
        return Task {
            try await withThrowingTaskGroup(of: String.self) { group in
                group.addTask {
                    var text = ""
                    for try await chunk in response.body {
                        text += String(buffer: chunk)
                        if text.contains("\"topic\":\"issues\"") {
                            return "change pushed \(Int((ContinuousClock.now - opened) / .milliseconds(1))) ms after the stream opened"
                        }
                    }
                    throw ServerClient.Failure(description: "the stream ended without a change")
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(30))
                    throw ServerClient.Failure(description: "no change arrived within 30 s of the test events")
                }
                let first = try await group.next()!
                group.cancelAll()
                return first
            }
        }
    }

    /// Each alert channel's test send, when any is configured.
    func alerting() async {
        guard let reply = try? await client.api(.GET, "organizations/\(org)/channels/"), reply.status == 200,
              let channels = try? reply.decode([Channel].self) else { return }
        for channel in channels {
            await record("alert channel \(channel.name)") {
                let sent = try await client.api(.POST, "channels/\(channel.id)/test", json: "{}")
                guard sent.status == 200 else { throw fail("test send answered \(sent.status): \(sent.detail)") }
                let attempt = try sent.decode(ChannelTest.self)
                guard attempt.outcome == "delivered" else { throw fail("test \(attempt.outcome): \(attempt.error ?? "no reason given")") }
                return "test \(channel.type) notification sent"
            }
        }
    }

    /// Each monitor's last result, when any exists.
    func monitors() async {
        guard let reply = try? await client.api(.GET, "organizations/\(org)/monitors/"), reply.status == 200,
              let monitors = try? reply.decode([ServerModel.Monitor].self) else { return }
        for monitor in monitors {
            await record("monitor \(monitor.name)") {
                let last = try? await client.api(.GET, "monitors/\(monitor.id)/results/?limit=1").decode([CheckResult].self).first
                let reason = last.map { ": " + $0.message } ?? ""
                guard monitor.status != "down" else { throw fail("down" + reason) }
                return monitor.status + reason
            }
        }
    }

    struct StoredEvent: Decodable {
        var groupID: String?
    }

    struct ProjectDetail: Decodable {
        var project: ServerModel.Identified
    }

    struct Channel: Decodable {
        var id: String
        var name: String
        var type: String
    }

    struct ChannelTest: Decodable {
        var outcome: String
        var error: String?
    }

    struct CheckResult: Decodable {
        var message: String
    }
}
