import ArgumentParser
import Foundation
import Logging
import Metrics
import TelltaleApp
import TelltaleCore
import TelltaleIncidents

/// `telltale incident …`: list, open, acknowledge and resolve incidents, and who is on call,
/// on the database directly. A running server's escalation timer sends the notifications.
struct IncidentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incident", abstract: "List, open, acknowledge and resolve incidents; show who is on call.",
        subcommands: [List.self, Open.self, Acknowledge.self, Resolve.self, OnCall.self]
    )

    /// The incident operations over `repositories`, acting as the administrator named by `--user`.
    static func service(_ repositories: Repositories, _ configuration: AppConfiguration) -> IncidentService {
        IncidentService(repositories: repositories, links: ActionLinks(publicURL: configuration.publicURL), publicURL: configuration.publicURL,
                        emailsPeople: false, logger: Logger(label: "telltale.cli") { _ in SwiftLogNoOpLogHandler() }, metrics: NOOPMetricsHandler.instance)
    }

    static func actor(_ email: String?, _ repositories: Repositories) async throws -> IncidentActor {
        guard let email else { return .automatic }
        guard let user = try await repositories.users.user(email: email) else { throw ValidationError("no user with the email \(email)") }
        return .user(user.id)
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List incidents, newest first.")
        @OptionGroup var options: CommonOptions
        @Option(help: "Organization slug.") var org: String = "default"
        @Flag(help: "Only triggered and acknowledged incidents.") var active = false

        func run() async throws {
            let incidents = try await options.withAccounts { _, repositories, _ in
                try await repositories.incidents.incidents(organizationID: try await OrgCommand.find(org, repositories).id,
                                                           statuses: active ? [.triggered, .acknowledged] : [], limit: 200)
            }
            let format = ISO8601DateFormatter()
            Console.table(["ID", "STATUS", "SEVERITY", "OPENED", "TITLE"], incidents.map {
                [$0.id.description, $0.status.rawValue, $0.severity.rawValue, format.string(from: $0.openedAt), $0.title]
            })
        }
    }

    struct Open: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open an incident.")
        @OptionGroup var options: CommonOptions
        @Option(help: "Organization slug.") var org: String = "default"
        @Option(help: "What is wrong.") var title: String
        @Option(help: "critical, high, medium or low.") var severity: String = "high"
        @Option(help: "Escalation policy id.") var policy: Int64?
        @Option(help: "The user opening it (email).") var user: String?

        func run() async throws {
            guard let severity = IncidentSeverity(rawValue: severity) else { throw ValidationError("severity must be critical, high, medium or low") }
            let title = title.trimmingCharacters(in: .whitespaces)
            guard (1...500).contains(title.count) else { throw ValidationError("the title must be 1 to 500 characters") }
            let incident = try await options.withAccounts { _, repositories, configuration in
                let organization = try await OrgCommand.find(org, repositories)
                let opening = IncidentService.Opening(title: title, severity: severity, policyID: policy.map(EscalationPolicyID.init))
                return try await IncidentCommand.service(repositories, configuration)
                    .open(opening, organizationID: organization.id, by: try await IncidentCommand.actor(user, repositories), reason: "opened from the command line",
                          sendNow: false).0
            }
            Console.out("Opened incident \(incident.id) '\(incident.title)' (\(incident.severity.rawValue)).")
        }
    }

    struct Acknowledge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ack", abstract: "Acknowledge an incident: its escalation stops.")
        @OptionGroup var options: CommonOptions
        @Argument(help: "Incident id.") var id: Int64
        @Option(help: "The user acknowledging (email).") var user: String?

        func run() async throws {
            let incident = try await IncidentCommand.change(options) { service, repositories in
                try await service.acknowledge(IncidentID(id), by: try await IncidentCommand.actor(user, repositories))
            }
            Console.out("Incident \(incident.id) is \(incident.status.rawValue).")
        }
    }

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resolve an incident.")
        @OptionGroup var options: CommonOptions
        @Argument(help: "Incident id.") var id: Int64
        @Option(help: "The user resolving (email).") var user: String?

        func run() async throws {
            let incident = try await IncidentCommand.change(options) { service, repositories in
                try await service.resolve(IncidentID(id), by: try await IncidentCommand.actor(user, repositories))
            }
            Console.out("Incident \(incident.id) is \(incident.status.rawValue).")
        }
    }

    /// Runs a change; a refused one (already resolved…) is an error message and exit code 1.
    static func change(_ options: CommonOptions, _ body: @escaping @Sendable (IncidentService, Repositories) async throws -> Incident) async throws -> Incident {
        try await options.withAccounts { _, repositories, configuration in try await body(service(repositories, configuration), repositories) }
    }

    struct OnCall: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "oncall", abstract: "Who is on call in each schedule, now or at a time.")
        @OptionGroup var options: CommonOptions
        @Option(help: "Organization slug.") var org: String = "default"
        @Option(help: "A time (ISO 8601), by default now.") var at: String?

        func run() async throws {
            let when: Date
            if let at {
                guard let parsed = try? Date(at, strategy: .iso8601) else { throw ValidationError("--at must be a date and time such as 2026-12-05T10:00:00Z") }
                when = parsed
            } else {
                when = Date()
            }
            let rows = try await options.withAccounts { _, repositories, _ in
                let organization = try await OrgCommand.find(org, repositories)
                let members = Dictionary(try await repositories.organizations.members(of: organization.id).map { ($0.0.id, $0.0.email) }, uniquingKeysWith: { a, _ in a })
                return try await repositories.incidents.schedules(organizationID: organization.id).map { schedule in
                    [schedule.id.description, schedule.draft.name, schedule.draft.onCall(at: when).map { members[$0] ?? "user \($0)" } ?? "nobody"]
                }
            }
            Console.table(["ID", "SCHEDULE", "ON CALL"], rows)
        }
    }
}
