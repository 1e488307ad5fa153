import ArgumentParser
import Foundation
import TelltaleApp
import TelltaleCore
import TelltaleMonitors

/// `telltale monitor …`: what the REST API does with monitors, on the database directly.
struct MonitorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor", abstract: "Manage health monitors.",
        subcommands: [Create.self, List.self, Pause.self, Resume.self, Delete.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a monitor (http, tcp, postgres or heartbeat); prints its id and, for a heartbeat, its ping URL.")
        @OptionGroup var options: CommonOptions
        @Option(help: "Organization slug.") var org: String = "default"
        @Option(help: "http, tcp, postgres or heartbeat.") var type: String
        @Option(help: "Name.") var name: String
        @Option(help: "Component on status pages (defaults to the name).") var component: String?
        @Option(help: "Seconds between checks (heartbeat: the expected period).") var interval: Int = 60
        @Option(help: "Seconds before a check fails.") var timeout: Int?
        @Option(help: "Consecutive failures before down.") var failureThreshold: Int = 1
        @Option(help: "Consecutive successes before up again.") var recoveryThreshold: Int = 1
        @Option(help: "HTTP: URL to request.") var url: String?
        @Option(help: "HTTP: method.") var method: String?
        @Option(help: "HTTP: a header \"Name: value\" (repeatable; stored as a secret).") var header: [String] = []
        @Option(help: "HTTP: accepted status codes, e.g. \"200-299,301\".") var expectedStatus: String?
        @Option(help: "HTTP: text the body must contain.") var keyword: String?
        @Option(help: "HTTP: JSON path to assert, e.g. $.status.") var jsonPath: String?
        @Option(help: "HTTP: the value expected at the JSON path.") var jsonExpected: String?
        @Option(help: "HTTP: slower than this many ms is degraded.") var degradedAboveMs: Int?
        @Option(help: "TCP: host.") var host: String?
        @Option(help: "TCP: port.") var port: Int?
        @Option(help: "PostgreSQL: connection string (the password is a secret).") var connectionString: String?
        @Option(help: "PostgreSQL: read-only query (default SELECT 1).") var query: String?
        @Option(help: "Heartbeat: 5-field crontab (default: every --interval seconds).") var schedule: String?
        @Option(help: "Heartbeat: time zone of the crontab.") var timezone: String?
        @Option(help: "Heartbeat: seconds of grace after the due time.") var graceSeconds: Int?
        @Option(help: "Heartbeat: seconds a started run may take.") var maxRuntimeSeconds: Int?

        func run() async throws {
            var spec = MonitorSpec(name: name, type: type)
            spec.component = component
            spec.intervalSeconds = interval
            spec.timeoutSeconds = timeout
            spec.failureThreshold = failureThreshold
            spec.recoveryThreshold = recoveryThreshold
            spec.url = url
            spec.method = method
            if !header.isEmpty {
                spec.headers = Dictionary(header.compactMap { line -> (String, String)? in
                    let parts = line.split(separator: ":", maxSplits: 1)
                    return parts.count == 2 ? (parts[0].trimmingCharacters(in: .whitespaces), parts[1].trimmingCharacters(in: .whitespaces)) : nil
                }, uniquingKeysWith: { _, last in last })
            }
            spec.expectedStatus = expectedStatus?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            spec.keyword = keyword
            spec.jsonPath = jsonPath
            spec.jsonExpected = jsonExpected
            spec.degradedAboveMs = degradedAboveMs
            spec.host = host
            spec.port = port
            spec.connectionString = connectionString
            spec.query = query
            spec.schedule = schedule
            spec.timezone = timezone
            spec.graceSeconds = graceSeconds
            spec.maxRuntimeSeconds = maxRuntimeSeconds
            let draft: MonitorDraft
            do {
                draft = try spec.draft(projectID: nil)
            } catch let error as TelltaleCore.ValidationError {
                throw ValidationError(error.description)
            }
            let (monitor, publicURL) = try await options.withAccounts { _, repositories, configuration in
                let organization = try await OrgCommand.find(org, repositories)
                let token = draft.target.type.isActive ? nil : SecretGenerator.hex(byteCount: 16)
                return (try await repositories.monitors.create(organizationID: organization.id, draft, pingToken: token, now: Date()), configuration.publicURL)
            }
            Console.out("Created \(monitor.type.rawValue) monitor \(monitor.id) '\(monitor.name)'.")
            if let token = monitor.pingToken { Console.out("Ping URL: \(publicURL)/ping/\(token)") }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List an organization's monitors and their states (never their secrets).")
        @OptionGroup var options: CommonOptions
        @Option(help: "Organization slug.") var org: String = "default"

        func run() async throws {
            let monitors = try await options.withAccounts { _, repositories, _ in
                try await repositories.monitors.monitors(organizationID: try await OrgCommand.find(org, repositories).id)
            }
            Console.table(["ID", "TYPE", "STATE", "NAME", "COMPONENT", "INTERVAL"], monitors.map {
                [$0.id.description, $0.type.rawValue, $0.state.status.rawValue, $0.name, $0.component, "\($0.intervalSeconds)s"]
            })
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pause a monitor.")
        @OptionGroup var options: CommonOptions
        @Argument(help: "Monitor id.") var id: Int64

        func run() async throws { try await setPaused(options, id, true) }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a paused monitor.")
        @OptionGroup var options: CommonOptions
        @Argument(help: "Monitor id.") var id: Int64

        func run() async throws { try await setPaused(options, id, false) }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a monitor and its history.")
        @OptionGroup var options: CommonOptions
        @Argument(help: "Monitor id.") var id: Int64

        func run() async throws {
            let deleted = try await options.withAccounts { _, repositories, _ in try await repositories.monitors.delete(MonitorID(id)) }
            guard deleted else { throw DomainErrorExit.notFound(id) }
            Console.out("Deleted monitor \(id).")
        }
    }

    static func setPaused(_ options: CommonOptions, _ id: Int64, _ paused: Bool) async throws {
        let monitor = try await options.withAccounts { _, repositories, _ in
            try await repositories.monitors.setPaused(MonitorID(id), paused, now: Date())
        }
        guard let monitor else { throw DomainErrorExit.notFound(id) }
        Console.out("Monitor \(id) is \(monitor.state.status.rawValue).")
    }
}

/// A monitor that does not exist: said on standard error, exit status 1.
enum DomainErrorExit {
    static func notFound(_ id: Int64) -> ExitCode {
        Console.error("monitor \(id) not found")
        return ExitCode(1)
    }
}
