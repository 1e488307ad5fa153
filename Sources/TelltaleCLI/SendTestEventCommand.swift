import ArgumentParser
import Foundation
import NIOHTTP1
import TelltaleCore

/// `telltale send-test-event`: a realistic error through the real ingest path (the server's
/// `POST /api/0/projects/{org}/{project}/test-event/`), and the URL of its issue; with
/// `--simulate-resolution N` the server resolves the issue N seconds later and the command
/// waits to see it, so the operator watches the whole lifecycle.
struct SendTestEventCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send-test-event",
        abstract: "Send a realistic test error (stack trace, tags, user, breadcrumbs) and print its issue's URL."
    )

    @OptionGroup var server: ServerOptions
    @Option(help: "Organization slug.") var org = "default"
    @Option(help: "Project slug.") var project = "default"
    @Option(help: "Issue severity: info, low, medium, high or critical.") var severity: String?
    @Option(help: "Issue category, e.g. database, network, payment.") var category: String?
    @Option(name: .customLong("business-impact"), help: "revenue_blocking, user_blocking, experience_degrading, operational or monitoring.")
    var businessImpact: String?
    @Option(help: "The event's environment.") var environment: String?
    @Option(name: .customLong("simulate-resolution"), help: "Resolve the issue this many seconds later (0 to 3600) and wait to see it resolved.")
    var simulateResolution: Int?

    func run() async throws {
        let body = TestEventRequest(severity: severity, category: category, business_impact: businessImpact, environment: environment,
                                    simulate_resolution_seconds: simulateResolution)
        let request = String(decoding: try JSONEncoder().encode(body), as: UTF8.self)
        let (org, project, wait) = (org, project, simulateResolution)
        try await server.withServer(scopes: [.eventRead, .eventWrite]) { client in
            do {
                let reply = try await client.api(.POST, "projects/\(org)/\(project)/test-event/", json: request)
                guard reply.status == 201 else { throw ServerClient.Failure(description: "test event refused (\(reply.status)): \(reply.detail)") }
                let sent = try reply.decode(ServerModel.TestEventAnswer.self)
                Console.out("Sent test event \(sent.event_id) to \(org)/\(project).")
                Console.out("Issue: \(sent.issue_url)")
                guard let wait else { return }
                Console.out("The server resolves the issue in \(wait) s; waiting to see it…")
                let started = Date()
                while Date().timeIntervalSince(started) < Double(wait) + 30 {
                    let issue = try await client.api(.GET, "issues/\(sent.issue_id)/")
                    if issue.status == 200, (try? issue.decode(ServerModel.IssueState.self).status) == "resolved" {
                        Console.out("Issue \(sent.issue_id) resolved after \(Int(Date().timeIntervalSince(started).rounded())) s.")
                        return
                    }
                    try await Task.sleep(for: .seconds(1))
                }
                throw ServerClient.Failure(description: "issue \(sent.issue_id) was not resolved within \(wait + 30) s")
            } catch let failure as ServerClient.Failure {
                Console.error(failure.description)
                throw ExitCode(1)
            }
        }
    }

    struct TestEventRequest: Encodable {
        var severity: String?
        var category: String?
        var business_impact: String?
        var environment: String?
        var simulate_resolution_seconds: Int?
    }
}
