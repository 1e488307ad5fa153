import ArgumentParser
import Foundation
import NIOHTTP1
import TelltaleCore

/// `telltale setup`: the assistant a new operator runs first. It picks or creates an
/// organization and a project, prints the DSN, writes a ready-to-paste SDK snippet with the
/// chosen environment, release, sampling and PII settings, optionally records the SMTP
/// server in the configuration file and creates a first alert channel, and ends by sending
/// a test event and waiting until it is stored. Every question is also a flag; with `--yes`
/// (or without a terminal) the defaults answer what the flags leave open.
struct SetupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "setup",
        abstract: "Set up a project to send errors: organization, project, DSN, SDK snippet, alerts, and a test event."
    )

    @OptionGroup var server: ServerOptions
    @Flag(name: .shortAndLong, help: "Never ask: take the flags, and the defaults for the rest.") var yes = false
    @Option(help: "Organization slug (picked if it exists, else created).") var org: String?
    @Option(name: .customLong("org-name"), help: "Name for a new organization.") var orgName: String?
    @Option(help: "Project slug (picked if it exists, else created).") var project: String?
    @Option(name: .customLong("project-name"), help: "Name for a new project.") var projectName: String?
    @Option(help: "SDK platform: \(SDKSnippet.Platform.allCases.map(\.rawValue).joined(separator: ", ")).") var platform: String?
    @Option(help: "Environment: development, staging, production or your own.") var environment: String?
    @Option(help: "Release name, e.g. shop@1.4.0.") var release: String?
    @Option(name: .customLong("sample-rate"), help: "Share of errors sent, 0 to 1.") var sampleRate: Double?
    @Option(name: .customLong("traces-sample-rate"), help: "Share of transactions traced, 0 to 1.") var tracesSampleRate: Double?
    @Option(name: .customLong("send-default-pii"), help: "Send personal data (IP, cookies, user): yes or no.") var sendDefaultPII: String?
    @Option(name: .customLong("snippet-file"), help: "Where to write the SDK snippet (default: telltale-<platform>.<ext>).") var snippetFile: String?
    @Option(name: .customLong("smtp-url"), help: "SMTP server for alert emails, e.g. smtp://user:pass@mail.example.com:587 (written to the configuration file).")
    var smtpURL: String?
    @Option(name: .customLong("smtp-from"), help: "Sender of alert emails, e.g. Telltale <alerts@example.com>.") var smtpFrom: String?
    @Option(name: .customLong("channel"), help: "First alert channel: email, slack, webhook or none.") var channel: String?
    @Option(name: .customLong("channel-target"), help: "The channel's address: email recipients, or the Slack or webhook URL.") var channelTarget: String?
    @Flag(name: .customLong("no-test-event"), help: "Do not send a test event at the end.") var noTestEvent = false

    func run() async throws {
        var ask = Prompter(interactive: !yes && isatty(STDIN_FILENO) != 0 && isatty(STDOUT_FILENO) != 0)
        let command = self
        try await server.withServer(scopes: [.orgRead, .orgWrite, .orgAdmin, .projectRead, .projectWrite, .eventRead, .eventWrite]) { client in
            do {
                try await command.assist(client, &ask)
            } catch let failure as ServerClient.Failure {
                Console.error(failure.description)
                throw ExitCode(1)
            }
        }
    }

    private func assist(_ client: ServerClient, _ ask: inout Prompter) async throws {
        Console.out("Telltale setup, against \(client.base)\n")
        // Organization.
        let organizations = try await client.get("organizations/", as: [ServerModel.Slugged].self)
        let orgSlug = try ask.text("Organization", flag: org, default: organizations.first?.slug ?? "default",
                                   hint: organizations.isEmpty ? nil : "existing: " + organizations.map(\.slug).joined(separator: ", "))
        if !organizations.contains(where: { $0.slug == orgSlug }) {
            let name = try ask.text("Name of the new organization", flag: orgName, default: orgSlug.capitalized)
            try await create(client, "organizations/", #"{"name":\#(SDKSnippet.quoted(name)),"slug":\#(SDKSnippet.quoted(orgSlug))}"#, what: "organization")
            Console.out("Created organization \(orgSlug).")
        }
        // Platform, then project.
        let platformName = try ask.choice("Platform", flag: platform, options: SDKSnippet.Platform.allCases.map { ($0.rawValue, $0.title) }, default: "python")
        let sdk = SDKSnippet.Platform(rawValue: platformName)!
        let projects = try await client.get("organizations/\(orgSlug)/projects/", as: [ServerModel.Slugged].self)
        let projectSlug = try ask.text("Project", flag: project, default: projects.first?.slug ?? "default",
                                       hint: projects.isEmpty ? nil : "existing: " + projects.map(\.slug).joined(separator: ", "))
        if !projects.contains(where: { $0.slug == projectSlug }) {
            let name = try ask.text("Name of the new project", flag: projectName, default: projectSlug.capitalized)
            try await create(client, "organizations/\(orgSlug)/projects/",
                             #"{"name":\#(SDKSnippet.quoted(name)),"slug":\#(SDKSnippet.quoted(projectSlug)),"platform":"\#(sdk.projectPlatform)"}"#, what: "project")
            Console.out("Created project \(orgSlug)/\(projectSlug).")
        }
        let keys = try await client.get("projects/\(orgSlug)/\(projectSlug)/keys/", as: [ServerModel.ClientKey].self)
        guard let dsn = keys.first(where: \.isActive)?.dsn.public else {
            throw ServerClient.Failure(description: "project \(orgSlug)/\(projectSlug) has no active client key")
        }
        Console.out("\nDSN: \(dsn)\n")

        // The SDK's settings, recommended per environment.
        let environmentName = try ask.text("Environment", flag: environment, default: "production", hint: "development, staging, production")
        let recommended = SDKSnippet.Settings.recommended(for: environmentName)
        let releaseName = try ask.text("Release", flag: release, default: "\(projectSlug)@1.0.0")
        let settings = SDKSnippet.Settings(
            sampleRate: try ask.rate("Error sample rate", flag: sampleRate, default: recommended.sampleRate),
            tracesSampleRate: try ask.rate("Traces sample rate", flag: tracesSampleRate, default: recommended.tracesSampleRate),
            sendDefaultPII: try ask.yesNo("Send personal data (send_default_pii)", flag: sendDefaultPII, default: recommended.sendDefaultPII)
        )
        let snippet = SDKSnippet(platform: sdk, dsn: dsn, environment: environmentName, release: releaseName, settings: settings)
        let path = snippetFile ?? "telltale-\(sdk.rawValue).\(sdk.fileExtension)"
        do {
            try Data(snippet.text.utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            throw ServerClient.Failure(description: "cannot write the snippet to \(path): \(error.localizedDescription)")
        }
        Console.out("\n\(sdk.title), written to \(path):\n\n\(snippet.text)")

        // Alerts: the mail server (server configuration) and a first channel.
        let smtp = try ask.text("SMTP server for alert emails (empty: skip)", flag: smtpURL, default: "")
        if !smtp.isEmpty {
            let from = try ask.text("Sender of alert emails", flag: smtpFrom, default: "Telltale <telltale@localhost>")
            let file = server.options.config ?? "telltale.json"
            try ConfigFile.set(["smtp": ["url": smtp, "from": from]], in: file)
            Console.out("Wrote smtp.url and smtp.from to \(file); restart the server with --config \(file) for email alerts.")
        }
        let kind = try ask.choice("First alert channel", flag: channel, options: [("email", "Email"), ("slack", "Slack incoming webhook"), ("webhook", "Signed webhook"), ("none", "None for now")],
                                  default: "none")
        if kind != "none" {
            let target = try ask.text(kind == "email" ? "Send alerts to (comma-separated addresses)" : "\(kind == "slack" ? "Slack webhook" : "Webhook") URL",
                                      flag: channelTarget, default: "")
            guard !target.isEmpty else { throw ServerClient.Failure(description: "the \(kind) channel needs --channel-target") }
            let config = kind == "email" ? #"{"to":\#(SDKSnippet.quoted(target))}"# : #"{"url":\#(SDKSnippet.quoted(target))}"#
            try await create(client, "organizations/\(orgSlug)/channels/", #"{"type":"\#(kind)","name":"\#(kind.capitalized) alerts","config":\#(config)}"#, what: "alert channel")
            Console.out("Created the \(kind) alert channel.")
        }

        guard !noTestEvent else { return }
        Console.out("\nSending a test event…")
        let sent = try await client.api(.POST, "projects/\(orgSlug)/\(projectSlug)/test-event/", json: #"{"environment":\#(SDKSnippet.quoted(environmentName))}"#)
        guard sent.status == 201, let answer = try? sent.decode(ServerModel.TestEventAnswer.self) else {
            throw ServerClient.Failure(description: "the test event was refused (\(sent.status)): \(sent.detail)")
        }
        // The server answers after the commit; reading it back confirms it is stored.
        let stored = try await client.api(.GET, "projects/\(orgSlug)/\(projectSlug)/events/\(answer.event_id)/")
        guard stored.status == 200 else { throw ServerClient.Failure(description: "the test event was accepted but cannot be read back (\(stored.status))") }
        Console.out("Stored. Its issue: \(answer.issue_url)")
        Console.out("Done: paste the snippet into your app, then run 'telltale selftest' and 'telltale status --watch'.")
    }

    private func create(_ client: ServerClient, _ path: String, _ json: String, what: String) async throws {
        let reply = try await client.api(.POST, path, json: json)
        guard reply.status == 201 else { throw ServerClient.Failure(description: "creating the \(what) failed (\(reply.status)): \(reply.detail)") }
    }
}
